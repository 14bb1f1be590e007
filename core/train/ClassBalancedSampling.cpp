#include "train/ClassBalancedSampling.h"

namespace graft {

torch::Tensor classBalancedOrder(const torch::Tensor& labels, at::Generator& generator) {
    const auto counts = torch::bincount(labels).to(torch::kFloat64);
    const auto weights = (1.0 / counts).index_select(0, labels);
    return torch::multinomial(weights, labels.size(0), /*replacement=*/true, generator);
}

} // namespace graft
