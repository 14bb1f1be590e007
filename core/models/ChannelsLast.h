#pragma once

#include <torch/nn/module.h>

namespace graft {

// NHWC memory layout. oneDNN on the CPU and cuDNN's tensor cores run convolutions faster on it
// than on NCHW; the numbers are the same up to summation order.
void convertToChannelsLast(torch::nn::Module& model);
// A 4-D batch in NHWC; any other tensor unchanged.
torch::Tensor channelsLast(const torch::Tensor& batch);

} // namespace graft
