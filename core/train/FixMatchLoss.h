#pragma once

#include <torch/types.h>

namespace graft {

// FixMatch's unlabelled term (Sohn et al. 2020): each unlabelled image's pseudo-label is the
// class its weakly augmented view gets, kept only where that view's top probability is at least
// `threshold` (no gradient flows through the weak view); the loss is the cross-entropy of the
// strongly augmented view's logits against it, averaged over every unlabelled image, kept or not.
struct UnlabelledLoss {
    torch::Tensor loss;   // scalar, differentiable through the strong logits
    torch::Tensor mask;   // float, 1 where the pseudo-label is kept
    torch::Tensor labels; // the pseudo-labels, int64
    // The share of images kept: the figure charted per epoch.
    double keptShare() const { return mask.numel() == 0 ? 0.0 : mask.mean().item<double>(); }
};

// Both logits are N x classes, row i the same image. Throws graft::Error when the shapes differ.
UnlabelledLoss fixMatchUnlabelledLoss(const torch::Tensor& weakLogits, const torch::Tensor& strongLogits, double threshold);

} // namespace graft
