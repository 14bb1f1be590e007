#include "models/MobileNetV2.h"

#include "models/ConvNormActivation.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <array>

namespace graft {
namespace {

torch::nn::Conv2d conv(int in, int out, int kernel, int stride, int groups) {
    return torch::nn::Conv2d(
        torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding((kernel - 1) / 2).groups(groups).bias(false));
}

struct StageSetting {
    int expandRatio;
    int channels;
    int repeats;
    int stride;
};

// The (t, c, n, s) table of the MobileNetV2 paper, as in torchvision.
constexpr std::array<StageSetting, 7> kStages = {{
    {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}}};

} // namespace

InvertedResidualImpl::InvertedResidualImpl(int in, int out, int stride, int expandRatio)
    : residual_(stride == 1 && in == out) {
    const int hidden = in * expandRatio;
    torch::nn::Sequential layers;
    if (expandRatio != 1) layers->push_back(ConvNormActivation(in, hidden, 1, 1, 1, Activation::Relu6));
    layers->push_back(ConvNormActivation(hidden, hidden, 3, stride, hidden, Activation::Relu6));
    layers->push_back(conv(hidden, out, 1, 1, 1));
    layers->push_back(torch::nn::BatchNorm2d(out));
    conv_ = register_module("conv", layers);
}

torch::Tensor InvertedResidualImpl::forward(torch::Tensor x) {
    return residual_ ? x + conv_->forward(x) : conv_->forward(x);
}

MobileNetV2Impl::MobileNetV2Impl(int numClasses) {
    torch::nn::Sequential features;
    int channels = 32;
    features->push_back(ConvNormActivation(3, channels, 3, 2, 1, Activation::Relu6));
    for (const auto& stage : kStages) {
        for (int i = 0; i < stage.repeats; ++i) {
            features->push_back(InvertedResidual(channels, stage.channels, i == 0 ? stage.stride : 1, stage.expandRatio));
            channels = stage.channels;
        }
    }
    features->push_back(ConvNormActivation(channels, kFeatureWidth, 1, 1, 1, Activation::Relu6));
    setLayers(features, torch::nn::Sequential(torch::nn::Dropout(0.2), torch::nn::Linear(kFeatureWidth, numClasses)));
}

} // namespace graft
