#pragma once

#include "models/Classifier.h"

#include <torch/nn/modules/linear.h>
#include <torch/script.h>

#include <filesystem>

namespace graft {

// A TorchScript file (.pt from torch.jit.script or torch.jit.trace) used as a frozen feature
// extractor under a new linear head. Its parameters are not registered, so they are never
// trained, saved with the head, or moved by an optimizer; it always runs in eval mode.
class TorchScriptClassifierImpl : public ClassifierImpl {
public:
    // Loads the file and probes it with one 3 x inputSize x inputSize image: the output must be a
    // tensor of N x D features or N x C x H x W maps (globally average-pooled to N x C).
    // Errors name the file and what is wrong with it.
    TorchScriptClassifierImpl(const std::filesystem::path& file, int inputSize, int numClasses);

    torch::Tensor forward(torch::Tensor images) override;
    std::vector<NetworkBlock> blocks() override;
    torch::Tensor features(torch::Tensor images);
    std::int64_t featureDim() const { return featureDim_; }
    std::int64_t extractorParameters() const;

    using ClassifierImpl::to;
    void to(torch::Device device, torch::Dtype dtype, bool nonBlocking = false) override;
    void to(torch::Device device, bool nonBlocking = false) override;

private:
    std::filesystem::path file_;
    torch::jit::Module extractor_;
    std::int64_t featureDim_ = 0;
    torch::nn::Linear head_{nullptr};
};

} // namespace graft
