#include "models/SqueezeExcitation.h"

namespace graft {

SqueezeExcitationImpl::SqueezeExcitationImpl(int channels, int squeezed, Style style)
    : fc1_(register_module("fc1", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, squeezed, 1)))),
      fc2_(register_module("fc2", torch::nn::Conv2d(torch::nn::Conv2dOptions(squeezed, channels, 1)))), style_(style) {}

torch::Tensor SqueezeExcitationImpl::forward(torch::Tensor x) {
    auto scale = fc1_->forward(x.mean({2, 3}, true));
    scale = style_ == Style::ReluHardSigmoid ? torch::relu(scale) : torch::silu(scale);
    scale = fc2_->forward(scale);
    scale = style_ == Style::ReluHardSigmoid ? torch::hardsigmoid(scale) : torch::sigmoid(scale);
    return x * scale;
}

} // namespace graft
