#include "experiment/Transferability.h"

#include "common/Error.h"

#include <cmath>
#include <numbers>

namespace graft {
namespace {

void requireLabels(const torch::Tensor& rows, const torch::Tensor& labels, const char* what) {
    if (rows.dim() != 2 || labels.dim() != 1 || rows.size(0) != labels.size(0) || rows.size(0) < 2)
        throw Error(std::string(what) + " needs an N x D matrix and N labels, N >= 2");
}

// Log evidence per image of one class's one-hot target `y`, as in the authors' reference code.
double classEvidence(const torch::Tensor& y, const torch::Tensor& features, const torch::Tensor& u,
                     const torch::Tensor& s, double images, double dims) {
    double alpha = 1, beta = 1, lambda = 1, alphaDenominator = 0, betaDenominator = 0;
    const auto projected = u.t().matmul(features.t().matmul(y));
    for (int iteration = 0; iteration < 11; ++iteration) { // converges in at most ten
        const double gamma = (s / (s + lambda)).sum().item<double>();
        const auto m = u.matmul(projected * beta / (alpha + beta * s));
        alphaDenominator = m.dot(m).item<double>();
        alpha = gamma / (alphaDenominator + 1e-5);
        const auto residual = y - features.matmul(m);
        betaDenominator = residual.dot(residual).item<double>();
        beta = (images - gamma) / (betaDenominator + 1e-5);
        const double newLambda = alpha / beta;
        const bool converged = std::abs(newLambda - lambda) / lambda < 0.01;
        lambda = newLambda;
        if (converged) break;
    }
    const double evidence = dims / 2 * std::log(alpha) + images / 2 * std::log(beta) -
                            0.5 * torch::log(alpha + beta * s).sum().item<double>() -
                            beta / 2 * (betaDenominator + 1e-5) - alpha / 2 * (alphaDenominator + 1e-5) -
                            images / 2 * std::log(2 * std::numbers::pi);
    return evidence / images;
}

} // namespace

double logMe(const torch::Tensor& features, const torch::Tensor& labels) {
    requireLabels(features, labels, "LogME");
    torch::NoGradGuard noGrad;
    const auto f = features.to(torch::kCPU, torch::kFloat64);
    const auto y = labels.to(torch::kCPU, torch::kLong);
    // The eigen-decomposition of F^T F is shared by every class.
    const auto [u, s, vh] = torch::linalg_svd(f.t().matmul(f), true);
    const auto classes = y.max().item<std::int64_t>() + 1;
    double sum = 0;
    for (std::int64_t c = 0; c < classes; ++c)
        sum += classEvidence(y.eq(c).to(torch::kFloat64), f, u, s, double(f.size(0)), double(f.size(1)));
    return sum / double(classes);
}

double leep(const torch::Tensor& sourceProbabilities, const torch::Tensor& labels) {
    requireLabels(sourceProbabilities, labels, "LEEP");
    torch::NoGradGuard noGrad;
    const auto theta = sourceProbabilities.to(torch::kCPU, torch::kFloat64);
    const auto y = labels.to(torch::kCPU, torch::kLong);
    const auto classes = y.max().item<std::int64_t>() + 1;
    const auto oneHot = torch::one_hot(y, classes).to(torch::kFloat64); // N x C
    const auto joint = theta.t().matmul(oneHot) / double(y.size(0));     // Z x C: P(z, y)
    const auto conditional = joint / joint.sum(1, true).clamp_min(1e-300); // P(y | z)
    const auto predicted = theta.matmul(conditional);                     // N x C
    return predicted.gather(1, y.unsqueeze(1)).clamp_min(1e-300).log().mean().item<double>();
}

} // namespace graft
