#pragma once

#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace graft {

// An epoch's worth of indices (as many as there are labels) drawn with replacement so that each
// class is equally likely, whatever its share of the training set: rare classes are repeated,
// common ones subsampled. `labels` are int64 class indices.
torch::Tensor classBalancedOrder(const torch::Tensor& labels, at::Generator& generator);

} // namespace graft
