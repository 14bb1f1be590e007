#include "train/BatchNormInputs.h"

#include <ATen/record_function.h>

#include <numeric>
#include <string_view>
#include <vector>

namespace graft {
namespace {

thread_local BatchNormMoments* observed = nullptr;

std::unique_ptr<at::ObserverContext> observeBatchNorm(const at::RecordFunction& call) {
    if (!observed || std::string_view(call.name()) != "aten::batch_norm") return nullptr;
    const auto inputs = call.inputs(); // input, weight, bias, running_mean, running_var, training, ...
    if (inputs.size() < 4 || !inputs[0].isTensor() || !inputs[3].isTensor()) return nullptr;
    const auto found = observed->find(inputs[3].toTensor().data_ptr());
    if (found == observed->end()) return nullptr;
    at::DisableRecordFunctionGuard quiet; // the reduction's own operators are not observed
    found->second.add(inputs[0].toTensor().detach());
    return nullptr;
}

} // namespace

void ChannelMoments::add(const torch::Tensor& input) {
    std::vector<std::int64_t> reduced(std::size_t(input.dim()));
    std::iota(reduced.begin(), reduced.end(), 0);
    reduced.erase(reduced.begin() + 1); // every dimension but the channels
    // Under CUDA autocast the activations may be half precision: reduce them in float.
    const auto values = input.element_size() < 4 ? input.to(torch::kFloat) : input;
    const auto [variance, batchMean] = at::var_mean(values, reduced, /*unbiased=*/false);
    const std::int64_t batchCount = input.numel() / input.size(1);
    const auto batchDeviations = variance.to(torch::kDouble) * double(batchCount);
    if (count == 0) {
        count = batchCount;
        mean = batchMean.to(torch::kDouble);
        squaredDeviations = batchDeviations;
        return;
    }
    const auto delta = batchMean.to(torch::kDouble) - mean;
    const double total = double(count + batchCount);
    mean += delta * (double(batchCount) / total);
    squaredDeviations += batchDeviations + delta * delta * (double(count) * double(batchCount) / total);
    count += batchCount;
}

torch::Tensor ChannelMoments::unbiasedVariance() const { return squaredDeviations / double(count - 1); }

BatchNormInputObserver::BatchNormInputObserver(BatchNormMoments& moments)
    : handle_(at::addThreadLocalCallback(at::RecordFunctionCallback(observeBatchNorm).needsInputs(true))) {
    observed = &moments;
}

BatchNormInputObserver::~BatchNormInputObserver() {
    observed = nullptr;
    at::removeCallback(handle_);
}

} // namespace graft
