#include "train/SimSiamLoss.h"

#include "common/Error.h"

#include <torch/nn/functional/distance.h>

namespace graft {

torch::Tensor simSiamLoss(const torch::Tensor& p1, const torch::Tensor& p2, const torch::Tensor& z1, const torch::Tensor& z2) {
    if (p1.dim() != 2 || p1.sizes() != p2.sizes() || p1.sizes() != z1.sizes() || p1.sizes() != z2.sizes())
        throw Error("SimSiam needs both views' predictions and projections as four N x D tensors of the same shape");
    namespace F = torch::nn::functional;
    const auto options = F::CosineSimilarityFuncOptions().dim(1);
    return -(F::cosine_similarity(p1, z2.detach(), options).mean() + F::cosine_similarity(p2, z1.detach(), options).mean()) * 0.5;
}

} // namespace graft
