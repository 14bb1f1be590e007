#pragma once

#include "models/Classifier.h"

#include <torch/nn/modules/container/sequential.h>

namespace graft {

// torchvision's layout for MobileNet and EfficientNet: `features`, global average pooling, then
// `classifier`. Subclasses build the two Sequentials; the names are those of the state_dicts.
class PooledClassifierImpl : public ClassifierImpl {
public:
    torch::Tensor forward(torch::Tensor images) override { return classifier_->forward(features(images)); }
    // Globally pooled features before the classifier.
    torch::Tensor features(torch::Tensor images) { return features_->forward(images).mean({2, 3}); }

    std::vector<NetworkBlock> blocks() override {
        std::vector<NetworkBlock> blocks;
        for (std::size_t i = 0; i < features_->size(); ++i) blocks.push_back(sequenceItemBlock("features", features_, i));
        blocks.push_back(globalPoolBlock());
        blocks.push_back(moduleBlock("classifier", classifier_));
        return blocks;
    }

protected:
    void setLayers(torch::nn::Sequential features, torch::nn::Sequential classifier) {
        features_ = register_module("features", std::move(features));
        classifier_ = register_module("classifier", std::move(classifier));
    }

private:
    torch::nn::Sequential features_{nullptr};
    torch::nn::Sequential classifier_{nullptr};
};

} // namespace graft
