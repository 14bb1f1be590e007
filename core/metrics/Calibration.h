#pragma once

#include "metrics/Reliability.h"

#include <torch/types.h>

namespace graft {

// Reliability of N x K logits (divided by `temperature` first) against N labels, in `binCount`
// equal-width bins, as Guo et al. (2017) define it.
Reliability reliabilityOf(const torch::Tensor& logits, const torch::Tensor& labels, double temperature = 1,
                          int binCount = 15);

// Mean cross-entropy of logits / temperature, in double precision.
double negativeLogLikelihood(const torch::Tensor& logits, const torch::Tensor& labels, double temperature = 1);

// Temperature scaling (Guo et al. 2017): the T > 0 that minimises the NLL of logits / T. The NLL
// is convex in 1/T, so Newton's method on 1/T, kept inside a shrinking bracket, finds the one
// minimum to machine precision. Throws for empty or mismatched inputs.
double fitTemperature(const torch::Tensor& logits, const torch::Tensor& labels);

} // namespace graft
