#pragma once

#include <torch/types.h>

namespace graft {

// SimSiam's symmetric loss (Chen & He 2021): each view's prediction p is pulled toward the other
// view's projection z by negative cosine similarity, with no gradient through z (the stop-gradient
// that keeps SimSiam from collapsing without negatives or a momentum encoder):
// -(cos(p1, z2) + cos(p2, z1)) / 2, averaged over the batch. All four are N x D.
// Throws graft::Error when the shapes differ.
torch::Tensor simSiamLoss(const torch::Tensor& p1, const torch::Tensor& p2, const torch::Tensor& z1, const torch::Tensor& z2);

} // namespace graft
