#pragma once

#include <torch/types.h>

namespace graft {

// Deep CORAL's loss (Sun and Saenko 2016): |C_s - C_t|_F^2 / (4 d^2), where C_s and C_t are the
// covariances (divided by N - 1) of a batch's source and target features, each N x d. Pulls the
// second-order statistics of the two domains' features together; differentiable through both.
// Throws graft::Error for widths that differ or a batch under two rows.
torch::Tensor coralLoss(const torch::Tensor& source, const torch::Tensor& target);

} // namespace graft
