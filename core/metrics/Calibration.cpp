#include "metrics/Calibration.h"

#include "common/Error.h"

#include <torch/nn/functional/loss.h>

#include <algorithm>
#include <cmath>

namespace graft {
namespace {

void checkShapes(const torch::Tensor& logits, const torch::Tensor& labels) {
    if (logits.dim() != 2 || labels.dim() != 1 || logits.size(0) != labels.size(0) || logits.size(0) == 0)
        throw Error("calibration needs N x K logits and N labels, N > 0");
}

// First and second derivatives of the mean NLL of inverse * logits, with respect to inverse:
// E_p[z] - z_label and Var_p[z], averaged over the images.
std::pair<double, double> nllSlopeAndCurvature(const torch::Tensor& logits, const torch::Tensor& labels, double inverse) {
    const auto probabilities = (logits * inverse).softmax(1);
    const auto expected = (probabilities * logits).sum(1);
    const auto variance = (probabilities * logits * logits).sum(1) - expected * expected;
    const auto labelled = logits.gather(1, labels.unsqueeze(1)).squeeze(1);
    return {(expected - labelled).mean().item<double>(), variance.mean().item<double>()};
}

} // namespace

Reliability reliabilityOf(const torch::Tensor& logits, const torch::Tensor& labels, double temperature, int binCount) {
    checkShapes(logits, labels);
    const auto [confidence, predicted] = (logits.to(torch::kFloat64) / temperature).softmax(1).max(1);
    const auto correct = predicted.eq(labels).to(torch::kFloat64);
    Reliability reliability;
    const double n = double(logits.size(0));
    for (int bin = 0; bin < binCount; ++bin) {
        ReliabilityBin entry{double(bin) / binCount, double(bin + 1) / binCount};
        const auto inBin = confidence.gt(entry.lower).logical_and(confidence.le(entry.upper));
        entry.count = inBin.sum().item<std::int64_t>();
        if (entry.count > 0) {
            entry.confidence = confidence.masked_select(inBin).mean().item<double>();
            entry.accuracy = correct.masked_select(inBin).mean().item<double>();
            reliability.ece += double(entry.count) / n * std::abs(entry.accuracy - entry.confidence);
        }
        reliability.bins.push_back(entry);
    }
    return reliability;
}

double negativeLogLikelihood(const torch::Tensor& logits, const torch::Tensor& labels, double temperature) {
    checkShapes(logits, labels);
    return torch::nn::functional::cross_entropy(logits.to(torch::kFloat64) / temperature, labels).item<double>();
}

double fitTemperature(const torch::Tensor& logits, const torch::Tensor& labels) {
    checkShapes(logits, labels);
    torch::NoGradGuard noGrad;
    const auto z = logits.to(torch::kFloat64);
    const auto slopeAt = [&](double inverse) { return nllSlopeAndCurvature(z, labels, inverse).first; };
    constexpr double kLargestInverse = 1e6;
    // At 1/T = 0 every class is equally likely; logits no better than that are best flattened.
    if (slopeAt(0) >= 0) return kLargestInverse;
    double low = 0, high = 1;
    while (slopeAt(high) < 0) { // the slope increases with 1/T: bracket its zero
        low = high;
        high *= 2;
        if (high > kLargestInverse) return 1 / kLargestInverse; // separable: sharper is always better
    }
    double inverse = (low + high) / 2;
    for (int step = 0; step < 200; ++step) {
        const auto [slope, curvature] = nllSlopeAndCurvature(z, labels, inverse);
        (slope > 0 ? high : low) = inverse;
        const double newton = curvature > 0 ? inverse - slope / curvature : low;
        const double next = newton > low && newton < high ? newton : (low + high) / 2;
        if (std::abs(next - inverse) <= 1e-14 * inverse) return 1 / next;
        inverse = next;
    }
    return 1 / inverse;
}

} // namespace graft
