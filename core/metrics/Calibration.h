#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace graft {

// One confidence bin of a reliability diagram: images whose top softmax probability lies in
// (lower, upper], their mean confidence and their accuracy (both 0 when the bin is empty).
struct ReliabilityBin {
    double lower = 0;
    double upper = 0;
    std::int64_t count = 0;
    double confidence = 0;
    double accuracy = 0;
};

struct Reliability {
    std::vector<ReliabilityBin> bins;
    // Expected calibration error: the count-weighted mean |accuracy - confidence| over the bins.
    double ece = 0;
};

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
