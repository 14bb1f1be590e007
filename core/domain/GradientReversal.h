#pragma once

#include <torch/types.h>

namespace graft {

// DANN's gradient reversal layer (Ganin et al. 2016): the identity going forward; going back it
// multiplies the gradient by -lambda, so the layers before it learn to confuse the domain
// classifier after it while that classifier learns to tell the domains apart.
torch::Tensor reverseGradient(const torch::Tensor& features, double lambda);

// DANN's schedule for lambda: 2 / (1 + exp(-10 p)) - 1, where p in [0, 1] is training progress;
// it rises from 0, so the domain classifier's early noise does not reach the features.
double gradientReversalWeight(double progress);

} // namespace graft
