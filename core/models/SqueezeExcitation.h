#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

namespace graft {

// torchvision.ops.SqueezeExcitation: channels scaled by gate(fc2(act(fc1(global average)))).
// MobileNetV3 uses ReLU with a hard-sigmoid gate, EfficientNet SiLU with a sigmoid gate.
class SqueezeExcitationImpl : public torch::nn::Module {
public:
    enum class Style { ReluHardSigmoid, SiluSigmoid };
    SqueezeExcitationImpl(int channels, int squeezed, Style style);
    torch::Tensor forward(torch::Tensor x);
    Style style() const { return style_; }

private:
    torch::nn::Conv2d fc1_, fc2_;
    Style style_;
};
TORCH_MODULE(SqueezeExcitation);

} // namespace graft
