#include "models/ResNet.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/pooling.h>

namespace graft {
namespace {

namespace F = torch::nn::functional;

torch::nn::Conv2d conv(int in, int out, int kernel, int stride) {
    return torch::nn::Conv2d(
        torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(false));
}

torch::nn::Sequential downsampleIfNeeded(int inPlanes, int outPlanes, int stride) {
    if (stride == 1 && inPlanes == outPlanes) return nullptr;
    return torch::nn::Sequential(conv(inPlanes, outPlanes, 1, stride), torch::nn::BatchNorm2d(outPlanes));
}

torch::Tensor reluInPlace(torch::Tensor x) { return F::relu(x, F::ReLUFuncOptions().inplace(true)); }

} // namespace

BasicBlockImpl::BasicBlockImpl(int inPlanes, int planes, int stride) {
    conv1_ = register_module("conv1", conv(inPlanes, planes, 3, stride));
    bn1_ = register_module("bn1", torch::nn::BatchNorm2d(planes));
    conv2_ = register_module("conv2", conv(planes, planes, 3, 1));
    bn2_ = register_module("bn2", torch::nn::BatchNorm2d(planes));
    if (auto downsample = downsampleIfNeeded(inPlanes, planes, stride))
        downsample_ = register_module("downsample", downsample);
}

torch::Tensor BasicBlockImpl::forward(torch::Tensor x) {
    auto out = reluInPlace(bn1_->forward(conv1_->forward(x)));
    out = bn2_->forward(conv2_->forward(out));
    return reluInPlace(out + (downsample_ ? downsample_->forward(x) : x));
}

BottleneckImpl::BottleneckImpl(int inPlanes, int planes, int stride) {
    conv1_ = register_module("conv1", conv(inPlanes, planes, 1, 1));
    bn1_ = register_module("bn1", torch::nn::BatchNorm2d(planes));
    conv2_ = register_module("conv2", conv(planes, planes, 3, stride));
    bn2_ = register_module("bn2", torch::nn::BatchNorm2d(planes));
    conv3_ = register_module("conv3", conv(planes, planes * kExpansion, 1, 1));
    bn3_ = register_module("bn3", torch::nn::BatchNorm2d(planes * kExpansion));
    if (auto downsample = downsampleIfNeeded(inPlanes, planes * kExpansion, stride))
        downsample_ = register_module("downsample", downsample);
}

torch::Tensor BottleneckImpl::forward(torch::Tensor x) {
    auto out = reluInPlace(bn1_->forward(conv1_->forward(x)));
    out = reluInPlace(bn2_->forward(conv2_->forward(out)));
    out = bn3_->forward(conv3_->forward(out));
    return reluInPlace(out + (downsample_ ? downsample_->forward(x) : x));
}

ResNetImpl::ResNetImpl(ResNetDepth depth, int numClasses) {
    const bool bottleneck = depth == ResNetDepth::R50;
    const std::array<int, 4> blocksPerStage = depth == ResNetDepth::R18 ? std::array{2, 2, 2, 2} : std::array{3, 4, 6, 3};
    const int expansion = bottleneck ? BottleneckImpl::kExpansion : BasicBlockImpl::kExpansion;

    conv1_ = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 64, 7).stride(2).padding(3).bias(false)));
    bn1_ = register_module("bn1", torch::nn::BatchNorm2d(64));
    int inPlanes = 64;
    for (int stage = 0; stage < 4; ++stage) {
        const int planes = 64 << stage;
        torch::nn::Sequential layer;
        for (int block = 0; block < blocksPerStage[std::size_t(stage)]; ++block) {
            const int stride = block == 0 && stage > 0 ? 2 : 1;
            if (bottleneck) layer->push_back(Bottleneck(inPlanes, planes, stride));
            else layer->push_back(BasicBlock(inPlanes, planes, stride));
            inPlanes = planes * expansion;
        }
        layers_[std::size_t(stage)] = register_module("layer" + std::to_string(stage + 1), layer);
    }
    featureWidth_ = inPlanes;
    fc_ = register_module("fc", torch::nn::Linear(featureWidth_, numClasses));
}

torch::Tensor ResNetImpl::stem(torch::Tensor images) {
    auto x = reluInPlace(bn1_->forward(conv1_->forward(images)));
    return F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(2).padding(1));
}

torch::Tensor ResNetImpl::features(torch::Tensor images) {
    auto x = stem(images);
    for (auto& layer : layers_) x = layer->forward(x);
    return x.mean({2, 3});
}

std::vector<NetworkBlock> ResNetImpl::blocks() {
    std::vector<NetworkBlock> blocks = {
        {"stem", "Conv7x7-BN-ReLU-MaxPool", {"conv1.", "bn1."}, [this](torch::Tensor x) { return stem(x); }}};
    for (std::size_t i = 0; i < layers_.size(); ++i) blocks.push_back(moduleBlock("layer" + std::to_string(i + 1), layers_[i]));
    blocks.push_back(globalPoolBlock());
    blocks.push_back(moduleBlock("fc", fc_));
    return blocks;
}

torch::Tensor ResNetImpl::forward(torch::Tensor images) { return fc_->forward(features(images)); }

} // namespace graft
