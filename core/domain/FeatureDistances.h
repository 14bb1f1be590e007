#pragma once

#include <torch/types.h>

#include <cstdint>

namespace graft {

// How far apart two domains' features lie. `a` and `b` hold one feature vector per row (N x D,
// any floating type); everything is computed in double precision.

// The squared maximum mean discrepancy under a linear kernel: the squared distance between the
// two means (the biased estimator, mean(K_aa) + mean(K_bb) - 2 mean(K_ab)).
double linearMmd(const torch::Tensor& a, const torch::Tensor& b);

// Fréchet distance of Gaussians fitted to each (FID's formula): |mu_a - mu_b|^2 +
// tr(C_a + C_b - 2 (C_a^1/2 C_b C_a^1/2)^1/2), covariances divided by N - 1. Needs two rows each.
double frechetDistance(const torch::Tensor& a, const torch::Tensor& b);

// Ben-David et al.'s proxy A-distance, 2 (1 - 2 error), where error is that of a linear domain
// classifier on held-out features: L2-regularised logistic regression (mean log-loss +
// lambda / 2 |w|^2, bias unregularised, solved by Newton's method) trained on the even rows of
// each set, standardised by the training rows, and tested on the odd rows. 2 means perfectly
// separable, 0 indistinguishable. Needs two rows each.
struct ProxyADistance {
    double distance = 0;
    double error = 0;            // on the held-out rows
    std::int64_t heldOut = 0;    // rows it was tested on
};
inline constexpr double kDomainClassifierL2 = 0.01;
ProxyADistance proxyADistance(const torch::Tensor& a, const torch::Tensor& b);

} // namespace graft
