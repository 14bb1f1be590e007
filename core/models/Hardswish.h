#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace graft {

// x * relu6(x + 3) / 6, as a module of its own (LibTorch 1.13 has none), so that layer
// diagrams and export can name it.
class HardswishImpl : public torch::nn::Module {
public:
    torch::Tensor forward(const torch::Tensor& x) { return torch::hardswish(x); }
};
TORCH_MODULE(Hardswish);

} // namespace graft
