#include "domain/CoralLoss.h"

#include "common/Error.h"

namespace graft {
namespace {

torch::Tensor covarianceOf(const torch::Tensor& features) {
    const auto centred = features - features.mean(0, true);
    return centred.t().matmul(centred) / double(features.size(0) - 1);
}

} // namespace

torch::Tensor coralLoss(const torch::Tensor& source, const torch::Tensor& target) {
    if (source.dim() != 2 || target.dim() != 2 || source.size(1) != target.size(1))
        throw Error("CORAL loss: source and target features must be N x d matrices of the same width");
    if (source.size(0) < 2 || target.size(0) < 2) throw Error("CORAL loss: each batch needs at least two images");
    // In float32 at least: half-precision covariances of wide features lose the small entries.
    const auto s = source.to(at::promote_types(source.scalar_type(), torch::kFloat));
    const auto t = target.to(at::promote_types(target.scalar_type(), torch::kFloat));
    const double d = double(source.size(1));
    return (covarianceOf(s) - covarianceOf(t)).square().sum() / (4 * d * d);
}

} // namespace graft
