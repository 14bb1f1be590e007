#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

namespace graft {

// DANN's domain classifier, as the Transfer-Learning-Library's DomainDiscriminator builds it: two
// hidden layers, each Linear, BatchNorm and ReLU, and one output logit (source = 1, target = 0).
class DomainClassifierImpl : public torch::nn::Module {
public:
    DomainClassifierImpl(std::int64_t features, std::int64_t hidden = 1024);
    torch::Tensor forward(torch::Tensor features); // N x features -> N logits

private:
    torch::nn::Sequential layers_{nullptr};
};
TORCH_MODULE(DomainClassifier);

// The domain classifier's loss, as the Transfer-Learning-Library's DomainAdversarialLoss: binary
// cross-entropy of source logits against 1 and target logits against 0, each domain weighted
// equally (the mean of the two means).
torch::Tensor domainClassificationLoss(const torch::Tensor& sourceLogits, const torch::Tensor& targetLogits);

} // namespace graft
