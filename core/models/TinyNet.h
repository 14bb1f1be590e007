#pragma once

#include "models/Classifier.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace graft {

// A small CNN for 28x28 to 64x64 images: stem, three stages and a linear head, each a named
// block so later freezing and feature extraction can address them.
class TinyNetImpl : public ClassifierImpl {
public:
    TinyNetImpl(int inChannels, int numClasses);
    torch::Tensor forward(torch::Tensor images) override;
    std::vector<NetworkBlock> blocks() override;
    // Pooled 128-d features before the head.
    torch::Tensor features(torch::Tensor images);

    static constexpr int kFeatureWidth = 128;

private:
    torch::nn::Sequential stem_{nullptr};
    torch::nn::Sequential stage1_{nullptr};
    torch::nn::Sequential stage2_{nullptr};
    torch::nn::Sequential stage3_{nullptr};
    torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(TinyNet);

} // namespace graft
