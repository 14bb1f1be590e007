#include "models/MobileNetV2.h"

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

// torchvision's Conv2dNormActivation with ReLU6: children "0" conv, "1" bn, "2" activation.
// A Sequential with a concrete forward(), so it can sit inside another Sequential.
class ConvBnRelu6Impl : public torch::nn::SequentialImpl {
public:
    ConvBnRelu6Impl(int in, int out, int kernel, int stride, int groups = 1)
        : SequentialImpl(conv(in, out, kernel, stride, groups), torch::nn::BatchNorm2d(out),
                         torch::nn::ReLU6(torch::nn::ReLU6Options(true))) {}
    torch::Tensor forward(torch::Tensor x) { return SequentialImpl::forward(x); }
};
TORCH_MODULE(ConvBnRelu6);

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
    if (expandRatio != 1) layers->push_back(ConvBnRelu6(in, hidden, 1, 1));
    layers->push_back(ConvBnRelu6(hidden, hidden, 3, stride, hidden));
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
    features->push_back(ConvBnRelu6(3, channels, 3, 2));
    for (const auto& stage : kStages) {
        for (int i = 0; i < stage.repeats; ++i) {
            features->push_back(InvertedResidual(channels, stage.channels, i == 0 ? stage.stride : 1, stage.expandRatio));
            channels = stage.channels;
        }
    }
    features->push_back(ConvBnRelu6(channels, kFeatureWidth, 1, 1));
    features_ = register_module("features", features);
    classifier_ = register_module(
        "classifier", torch::nn::Sequential(torch::nn::Dropout(0.2), torch::nn::Linear(kFeatureWidth, numClasses)));
}

torch::Tensor MobileNetV2Impl::features(torch::Tensor images) { return features_->forward(images).mean({2, 3}); }

torch::Tensor MobileNetV2Impl::forward(torch::Tensor images) { return classifier_->forward(features(images)); }

} // namespace graft
