#include "train/BatchNormRecalibration.h"

#include "common/Error.h"

#include <ATen/record_function.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/utils.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <vector>

namespace graft {
namespace {

// Per-channel count, mean and sum of squared deviations of everything one BatchNorm layer saw,
// merged batch by batch with Chan et al.'s parallel formula, in double precision.
struct ChannelMoments {
    std::int64_t count = 0;
    torch::Tensor mean, squaredDeviations;

    void add(const torch::Tensor& input) {
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
};

// The layers being recalibrated on this thread, by their running mean's storage: aten::batch_norm
// receives that tensor, so it names the module whose input is passing.
thread_local std::map<const void*, ChannelMoments>* recalibrating = nullptr;

std::unique_ptr<at::ObserverContext> observeBatchNorm(const at::RecordFunction& call) {
    if (!recalibrating || std::string_view(call.name()) != "aten::batch_norm") return nullptr;
    const auto inputs = call.inputs(); // input, weight, bias, running_mean, running_var, training, ...
    if (inputs.size() < 4 || !inputs[0].isTensor() || !inputs[3].isTensor()) return nullptr;
    const auto found = recalibrating->find(inputs[3].toTensor().data_ptr());
    if (found == recalibrating->end()) return nullptr;
    at::DisableRecordFunctionGuard quiet; // the reduction's own operators are not observed
    found->second.add(inputs[0].toTensor().detach());
    return nullptr;
}

// Observes aten::batch_norm on this thread while it lives.
class BatchNormObserver {
public:
    explicit BatchNormObserver(std::map<const void*, ChannelMoments>& moments)
        : handle_(at::addThreadLocalCallback(at::RecordFunctionCallback(observeBatchNorm).needsInputs(true))) {
        recalibrating = &moments;
    }
    ~BatchNormObserver() {
        recalibrating = nullptr;
        at::removeCallback(handle_);
    }
    BatchNormObserver(const BatchNormObserver&) = delete;
    BatchNormObserver& operator=(const BatchNormObserver&) = delete;

private:
    at::CallbackHandle handle_;
};

} // namespace

bool recalibrateBatchNorm(torch::nn::Module& model, const std::function<bool()>& forwardNextBatch, std::stop_token stop) {
    std::vector<torch::nn::BatchNorm2dImpl*> norms;
    for (const auto& module : model.modules(/*include_self=*/false))
        if (auto* norm = dynamic_cast<torch::nn::BatchNorm2dImpl*>(module.get());
            norm && norm->is_training() && norm->options.track_running_stats())
            norms.push_back(norm);
    model.eval();
    if (norms.empty()) return true;

    struct Saved {
        torch::Tensor mean, variance, batches;
    };
    std::vector<Saved> saved;
    std::map<const void*, ChannelMoments> moments;
    for (auto* norm : norms) {
        saved.push_back({norm->running_mean.clone(), norm->running_var.clone(), norm->num_batches_tracked.clone()});
        moments[norm->running_mean.data_ptr()];
        norm->train(true); // normalises with each batch's own statistics, as in training
    }
    bool complete = true;
    int batches = 0;
    {
        torch::NoGradGuard noGrad;
        BatchNormObserver observer(moments);
        for (;; ++batches) {
            if (stop.stop_requested()) {
                complete = false;
                break;
            }
            if (!forwardNextBatch()) break;
        }
    }
    // Training mode moved the running statistics by the momentum meanwhile: each layer ends with
    // the pass's exact figures, or the ones it had when the pass was stopped or saw too little.
    torch::NoGradGuard noGrad;
    for (std::size_t i = 0; i < norms.size(); ++i) {
        auto* norm = norms[i];
        norm->train(false);
        const auto& seen = moments.at(norm->running_mean.data_ptr());
        if (complete && seen.count >= 2) {
            norm->running_mean.copy_(seen.mean);
            norm->running_var.copy_(seen.squaredDeviations / double(seen.count - 1)); // unbiased, as PyTorch keeps it
            norm->num_batches_tracked.fill_(batches);
        } else {
            norm->running_mean.copy_(saved[i].mean);
            norm->running_var.copy_(saved[i].variance);
            norm->num_batches_tracked.copy_(saved[i].batches);
        }
    }
    if (complete && batches > 0 && std::all_of(moments.begin(), moments.end(), [](const auto& item) { return item.second.count == 0; }))
        throw Error("BatchNorm recalibration saw none of its layers' inputs: this LibTorch does not report aten::batch_norm "
                    "to observers; train with --no-bn-recalibration");
    return complete;
}

} // namespace graft
