#include "domain/DomainClassifier.h"

#include <torch/nn/functional/loss.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/linear.h>

namespace graft {

DomainClassifierImpl::DomainClassifierImpl(std::int64_t features, std::int64_t hidden) {
    layers_ = register_module("layers", torch::nn::Sequential(
        torch::nn::Linear(features, hidden), torch::nn::BatchNorm1d(hidden), torch::nn::ReLU(),
        torch::nn::Linear(hidden, hidden), torch::nn::BatchNorm1d(hidden), torch::nn::ReLU(),
        torch::nn::Linear(hidden, 1)));
}

torch::Tensor DomainClassifierImpl::forward(torch::Tensor features) { return layers_->forward(features).squeeze(1); }

torch::Tensor domainClassificationLoss(const torch::Tensor& sourceLogits, const torch::Tensor& targetLogits) {
    namespace F = torch::nn::functional;
    const auto source = F::binary_cross_entropy_with_logits(sourceLogits, torch::ones_like(sourceLogits));
    const auto target = F::binary_cross_entropy_with_logits(targetLogits, torch::zeros_like(targetLogits));
    return 0.5 * (source + target);
}

} // namespace graft
