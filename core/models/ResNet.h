#pragma once

#include "models/Classifier.h"

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <array>

namespace graft {

// torchvision's ResNet (v1.5: the stride sits on the 3x3 conv of bottlenecks), with the same
// parameter and buffer names, so official state_dicts load one to one.
enum class ResNetDepth { R18, R34, R50 };

// conv1-bn1 (3x3) - conv2-bn2 (3x3), plus the input (downsampled when the shape changes).
class BasicBlockImpl : public torch::nn::Module {
public:
    static constexpr int kExpansion = 1;
    BasicBlockImpl(int inPlanes, int planes, int stride);
    torch::Tensor forward(torch::Tensor x);

private:
    torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
    torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr};
    torch::nn::Sequential downsample_{nullptr};
};
TORCH_MODULE(BasicBlock);

// 1x1 reduce - 3x3 (strided) - 1x1 expand by 4, plus the input.
class BottleneckImpl : public torch::nn::Module {
public:
    static constexpr int kExpansion = 4;
    BottleneckImpl(int inPlanes, int planes, int stride);
    torch::Tensor forward(torch::Tensor x);

private:
    torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr};
    torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr}, bn3_{nullptr};
    torch::nn::Sequential downsample_{nullptr};
};
TORCH_MODULE(Bottleneck);

class ResNetImpl : public ClassifierImpl {
public:
    ResNetImpl(ResNetDepth depth, int numClasses);
    torch::Tensor forward(torch::Tensor images) override;
    std::vector<NetworkBlock> blocks() override;
    // Globally pooled features before fc: 512 wide for ResNet-18/34, 2048 for ResNet-50.
    torch::Tensor features(torch::Tensor images);
    int featureWidth() const { return featureWidth_; }

private:
    torch::Tensor stem(torch::Tensor images);

    torch::nn::Conv2d conv1_{nullptr};
    torch::nn::BatchNorm2d bn1_{nullptr};
    std::array<torch::nn::Sequential, 4> layers_;
    torch::nn::Linear fc_{nullptr};
    int featureWidth_ = 0;
};
TORCH_MODULE(ResNet);

} // namespace graft
