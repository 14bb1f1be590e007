#include "domain/GradientReversal.h"

#include <torch/autograd.h>

#include <algorithm>
#include <cmath>

namespace graft {
namespace {

class GradientReversal : public torch::autograd::Function<GradientReversal> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& features, double lambda) {
        context->saved_data["lambda"] = lambda;
        return features.view_as(features);
    }
    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* context,
                                                 torch::autograd::tensor_list gradients) {
        const double lambda = context->saved_data["lambda"].toDouble();
        return {gradients[0].neg() * lambda, torch::Tensor()};
    }
};

} // namespace

torch::Tensor reverseGradient(const torch::Tensor& features, double lambda) {
    return GradientReversal::apply(features, lambda);
}

double gradientReversalWeight(double progress) {
    const double p = std::clamp(progress, 0.0, 1.0);
    return 2.0 / (1.0 + std::exp(-10.0 * p)) - 1.0;
}

} // namespace graft
