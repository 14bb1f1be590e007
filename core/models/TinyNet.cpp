#include "models/TinyNet.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/pooling.h>

namespace graft {
namespace {

// Conv without bias: the BatchNorm that follows has its own shift.
torch::nn::Sequential convBnRelu(int in, int out) {
    return torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1).bias(false)),
                                 torch::nn::BatchNorm2d(out), torch::nn::ReLU(torch::nn::ReLUOptions(true)));
}

} // namespace

TinyNetImpl::TinyNetImpl(int inChannels, int numClasses) {
    stem_ = register_module("stem", convBnRelu(inChannels, 32));
    stage1_ = register_module("stage1", convBnRelu(32, 32));
    stage1_->push_back(torch::nn::MaxPool2d(2));
    stage2_ = register_module("stage2", convBnRelu(32, 64));
    stage2_->push_back(torch::nn::MaxPool2d(2));
    stage3_ = register_module("stage3", convBnRelu(64, kFeatureWidth));
    head_ = register_module("head", torch::nn::Linear(kFeatureWidth, numClasses));
}

torch::Tensor TinyNetImpl::features(torch::Tensor images) {
    auto x = stage3_->forward(stage2_->forward(stage1_->forward(stem_->forward(images))));
    return x.mean({2, 3});
}

torch::Tensor TinyNetImpl::forward(torch::Tensor images) { return head_->forward(features(images)); }

std::vector<NetworkBlock> TinyNetImpl::blocks() {
    return {moduleBlock("stem", stem_),     moduleBlock("stage1", stage1_), moduleBlock("stage2", stage2_),
            moduleBlock("stage3", stage3_), globalPoolBlock(),             moduleBlock("head", head_)};
}

} // namespace graft
