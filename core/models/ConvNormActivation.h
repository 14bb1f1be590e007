#pragma once

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

namespace graft {

enum class Activation { None, Relu, Relu6, Hardswish, Silu };

// torchvision.ops.Conv2dNormActivation: children "0" conv (no bias, "same" padding), "1"
// BatchNorm, "2" the activation if any. A Sequential with a concrete forward(), so it can sit
// inside another Sequential.
class ConvNormActivationImpl : public torch::nn::SequentialImpl {
public:
    ConvNormActivationImpl(int in, int out, int kernel, int stride, int groups, Activation activation,
                           double batchNormEps = 1e-5, double batchNormMomentum = 0.1);
    torch::Tensor forward(torch::Tensor x) { return SequentialImpl::forward(x); }
};
TORCH_MODULE(ConvNormActivation);

} // namespace graft
