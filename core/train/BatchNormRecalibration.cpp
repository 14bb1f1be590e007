#include "train/BatchNormRecalibration.h"

#include "common/Error.h"
#include "train/BatchNormInputs.h"

#include <torch/nn/modules/batchnorm.h>
#include <torch/utils.h>

#include <algorithm>
#include <vector>

namespace graft {

bool recalibrateBatchNorm(torch::nn::Module& model, const std::function<bool()>& forwardNextBatch, std::stop_token stop,
                          BatchNormLayers layers) {
    std::vector<torch::nn::BatchNorm2dImpl*> norms;
    for (const auto& module : model.modules(/*include_self=*/false))
        if (auto* norm = dynamic_cast<torch::nn::BatchNorm2dImpl*>(module.get());
            norm && (layers == BatchNormLayers::All || norm->is_training()) && norm->options.track_running_stats())
            norms.push_back(norm);
    model.eval();
    if (norms.empty()) return true;

    struct Saved {
        torch::Tensor mean, variance, batches;
    };
    std::vector<Saved> saved;
    BatchNormMoments moments;
    for (auto* norm : norms) {
        saved.push_back({norm->running_mean.clone(), norm->running_var.clone(), norm->num_batches_tracked.clone()});
        moments[norm->running_mean.data_ptr()];
        norm->train(true); // normalises with each batch's own statistics, as in training
    }
    bool complete = true;
    int batches = 0;
    {
        torch::NoGradGuard noGrad;
        BatchNormInputObserver observer(moments);
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
            norm->running_var.copy_(seen.unbiasedVariance());
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
