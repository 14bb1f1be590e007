#pragma once

#include "models/PooledClassifier.h"
#include "models/ResidualBranch.h"

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

namespace graft {

// torchvision's InvertedResidual: optional 1x1 expansion, 3x3 depthwise, 1x1 linear projection
// (ReLU6 after the first two), with a residual when the shape is kept.
class InvertedResidualImpl : public torch::nn::Module, public ResidualBranch {
public:
    InvertedResidualImpl(int in, int out, int stride, int expandRatio);
    torch::Tensor forward(torch::Tensor x);
    bool residual() const override { return residual_; }
    std::string branchChild() const override { return "conv"; }

private:
    torch::nn::Sequential conv_{nullptr};
    bool residual_ = false;
};
TORCH_MODULE(InvertedResidual);

// torchvision's MobileNetV2 (width 1.0) with the same parameter names: features.N..., classifier.1.
class MobileNetV2Impl : public PooledClassifierImpl {
public:
    explicit MobileNetV2Impl(int numClasses);

    static constexpr int kFeatureWidth = 1280;
};
TORCH_MODULE(MobileNetV2);

} // namespace graft
