#include "train/BatchNormRecalibration.h"

#include <torch/nn/modules/batchnorm.h>
#include <torch/utils.h>

#include <vector>

namespace graft {

bool recalibrateBatchNorm(torch::nn::Module& model, const std::function<bool()>& forwardNextBatch, std::stop_token stop) {
    std::vector<torch::nn::BatchNorm2dImpl*> norms;
    for (const auto& module : model.modules(/*include_self=*/false))
        if (auto* norm = dynamic_cast<torch::nn::BatchNorm2dImpl*>(module.get());
            norm && norm->is_training() && norm->options.track_running_stats())
            norms.push_back(norm);
    model.eval();
    if (norms.empty()) return true;

    struct Saved {
        c10::optional<double> momentum;
        torch::Tensor mean, variance, batches;
    };
    std::vector<Saved> saved;
    for (auto* norm : norms) {
        saved.push_back({norm->options.momentum(), norm->running_mean.clone(), norm->running_var.clone(),
                         norm->num_batches_tracked.clone()});
        norm->options.momentum(c10::nullopt); // a cumulative average: every batch counts the same
        norm->reset_running_stats();
        norm->train(true);
    }
    bool complete = true;
    int batches = 0;
    {
        torch::NoGradGuard noGrad;
        for (;; ++batches) {
            if (stop.stop_requested()) {
                complete = false;
                break;
            }
            if (!forwardNextBatch()) break;
        }
    }
    for (std::size_t i = 0; i < norms.size(); ++i) {
        auto* norm = norms[i];
        norm->options.momentum(saved[i].momentum);
        norm->train(false);
        if (complete && batches > 0) continue;
        torch::NoGradGuard noGrad;
        norm->running_mean.copy_(saved[i].mean);
        norm->running_var.copy_(saved[i].variance);
        norm->num_batches_tracked.copy_(saved[i].batches);
    }
    return complete;
}

} // namespace graft
