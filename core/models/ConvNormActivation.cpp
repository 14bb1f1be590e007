#include "models/ConvNormActivation.h"

#include "models/Hardswish.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

namespace graft {

ConvNormActivationImpl::ConvNormActivationImpl(int in, int out, int kernel, int stride, int groups,
                                               Activation activation, double batchNormEps, double batchNormMomentum) {
    push_back(torch::nn::Conv2d(
        torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding((kernel - 1) / 2).groups(groups).bias(false)));
    push_back(torch::nn::BatchNorm2d(torch::nn::BatchNormOptions(out).eps(batchNormEps).momentum(batchNormMomentum)));
    switch (activation) {
    case Activation::None: break;
    case Activation::Relu: push_back(torch::nn::ReLU(torch::nn::ReLUOptions(true))); break;
    case Activation::Relu6: push_back(torch::nn::ReLU6(torch::nn::ReLU6Options(true))); break;
    case Activation::Hardswish: push_back(Hardswish()); break;
    case Activation::Silu: push_back(torch::nn::SiLU()); break;
    }
}

} // namespace graft
