#include "domain/FeatureDistances.h"

#include "common/Error.h"

#include <torch/linalg.h>

namespace graft {
namespace {

torch::Tensor asDouble(const torch::Tensor& features, const char* which) {
    if (features.dim() != 2) throw Error(std::string("domain distance: the ") + which + " features are not a matrix");
    return features.to(torch::kDouble).contiguous();
}

void requireRows(const torch::Tensor& a, const torch::Tensor& b, std::int64_t rows) {
    if (a.size(1) != b.size(1)) throw Error("domain distance: the two feature sets differ in width");
    if (a.size(0) < rows || b.size(0) < rows)
        throw Error("domain distance: each domain needs at least " + std::to_string(rows) + " images");
}

// The symmetric positive semi-definite square root, by eigendecomposition.
torch::Tensor symmetricSqrt(const torch::Tensor& matrix) {
    const auto [values, vectors] = torch::linalg::eigh(matrix, "L");
    return vectors.matmul(torch::diag(values.clamp_min(0).sqrt())).matmul(vectors.t());
}

torch::Tensor covariance(const torch::Tensor& rows) {
    const auto centred = rows - rows.mean(0, true);
    return centred.t().matmul(centred) / double(rows.size(0) - 1);
}

} // namespace

double linearMmd(const torch::Tensor& a, const torch::Tensor& b) {
    const auto x = asDouble(a, "first"), y = asDouble(b, "second");
    requireRows(x, y, 1);
    return (x.mean(0) - y.mean(0)).square().sum().item<double>();
}

double frechetDistance(const torch::Tensor& a, const torch::Tensor& b) {
    const auto x = asDouble(a, "first"), y = asDouble(b, "second");
    requireRows(x, y, 2);
    const auto covarianceA = covariance(x), covarianceB = covariance(y);
    const auto rootA = symmetricSqrt(covarianceA);
    const auto between = torch::linalg::eigvalsh(rootA.matmul(covarianceB).matmul(rootA), "L").clamp_min(0).sqrt().sum();
    const auto meanGap = (x.mean(0) - y.mean(0)).square().sum();
    return (meanGap + covarianceA.trace() + covarianceB.trace() - 2 * between).item<double>();
}

ProxyADistance proxyADistance(const torch::Tensor& a, const torch::Tensor& b) {
    const auto x = asDouble(a, "first"), y = asDouble(b, "second");
    requireRows(x, y, 2);
    using torch::indexing::None;
    using torch::indexing::Slice;
    const auto trainRows = torch::cat({x.index({Slice(0, None, 2)}), y.index({Slice(0, None, 2)})});
    const auto testRows = torch::cat({x.index({Slice(1, None, 2)}), y.index({Slice(1, None, 2)})});
    const auto labels = [](std::int64_t first, std::int64_t second) {
        return torch::cat({torch::zeros({first}, torch::kDouble), torch::ones({second}, torch::kDouble)});
    };
    const auto trainLabels = labels((x.size(0) + 1) / 2, (y.size(0) + 1) / 2);
    const auto testLabels = labels(x.size(0) / 2, y.size(0) / 2);

    // Standardised by the training rows; a constant feature keeps scale 1.
    const auto mean = trainRows.mean(0, true);
    auto scale = trainRows.std(0, /*unbiased=*/false, true);
    scale = torch::where(scale > 1e-12, scale, torch::ones_like(scale));
    const auto withBias = [&](const torch::Tensor& rows) {
        return torch::cat({(rows - mean) / scale, torch::ones({rows.size(0), 1}, torch::kDouble)}, 1);
    };
    const auto design = withBias(trainRows), heldOut = withBias(testRows);
    const auto n = double(design.size(0));
    const auto width = design.size(1);
    auto penalty = torch::full({width}, kDomainClassifierL2, torch::kDouble);
    penalty[width - 1] = 0; // the bias is not shrunk
    auto weights = torch::zeros({width}, torch::kDouble);
    // The objective is strictly convex (the penalty), so Newton's steps converge to its one minimum.
    for (int iteration = 0; iteration < 100; ++iteration) {
        const auto p = torch::sigmoid(design.matmul(weights));
        const auto gradient = design.t().matmul(p - trainLabels) / n + penalty * weights;
        const auto curvature = design.t().matmul(design * (p * (1 - p)).unsqueeze(1)) / n + torch::diag(penalty) +
                               1e-12 * torch::eye(width, torch::kDouble);
        const auto step = torch::linalg::solve(curvature, gradient, true);
        weights -= step;
        if (step.abs().max().item<double>() < 1e-10) break;
    }
    const auto predicted = (heldOut.matmul(weights) > 0).to(torch::kDouble);
    ProxyADistance result;
    result.heldOut = heldOut.size(0);
    result.error = (predicted != testLabels).sum().item<double>() / double(result.heldOut);
    result.distance = 2 * (1 - 2 * result.error);
    return result;
}

} // namespace graft
