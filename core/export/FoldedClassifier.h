#pragma once

#include "models/Classifier.h"

#include <functional>
#include <vector>

namespace graft {

// A classifier's inference with every BatchNorm after a convolution folded into it, run eagerly:
// the operations export writes (writeClassifier) through BatchNormFolding, on channels-last
// tensors, each intermediate freed after its last reader. The model's outputs to about 1e-5
// relative, without BatchNorm passes (ResNet-18: 20 of them). A snapshot: later changes to the
// model's weights are not seen.
class FoldedClassifier {
public:
    enum class Output { Logits, PooledFeatures }; // the head's output, or its input (writeFeatures)

    // Throws graft::Error for an architecture export cannot write (a TorchScript backbone, say).
    FoldedClassifier(ClassifierImpl& model, torch::Device device, Output output = Output::Logits);

    // N x C x H x W images (preprocessed) to N x classes logits (or N x features), without autograd.
    torch::Tensor forward(const torch::Tensor& images) const;

private:
    struct Step {
        std::function<torch::Tensor(std::vector<torch::Tensor>&)> run;
        std::vector<std::size_t> freedAfter; // values no later step reads
    };
    std::vector<Step> steps_; // step i computes value i + 1; value 0 is the input
    std::size_t output_ = 0;
};

// `model`'s logits function for inference, with the model put in eval mode: folded when its
// architecture allows, else its own forward(), which then refers to `model`.
std::function<torch::Tensor(torch::Tensor)> inferenceFunction(ClassifierImpl& model, torch::Device device);

// blocks[0, prefixLength) of `model` in eval mode without autograd, as a feature cache runs a
// frozen prefix: folded when the prefix is every block but the head and the architecture allows,
// else block by block (then referring to `blocks`).
std::function<torch::Tensor(torch::Tensor)> prefixFunction(ClassifierImpl& model, const std::vector<NetworkBlock>& blocks,
                                                           std::size_t prefixLength, torch::Device device);

} // namespace graft
