#include "train/BatchNormRecalibration.h"

#include "common/Error.h"
#include "train/BatchNormInputs.h"

#include <torch/nn/modules/batchnorm.h>
#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace graft {
namespace {

// Chan et al.'s formula over ranks: the ranks' counts and weighted means give the pooled mean,
// then each rank's squared deviations about it, summed, give the pooled spread. Leaves every
// rank's `moments` and `batches` those of all ranks together; returns whether no rank was stopped.
bool poolOverRanks(const std::vector<torch::nn::BatchNorm2dImpl*>& norms, BatchNormMoments& moments, int& batches,
                   bool complete, DataParallelGroup& ranks) {
    const auto doubles = torch::TensorOptions().dtype(torch::kDouble); // on the CPU, where Gloo sums
    std::vector<torch::Tensor> totals; // per layer: the count, then count x mean per channel
    for (auto* norm : norms) {
        const auto& seen = moments.at(norm->running_mean.data_ptr());
        const auto weighted = seen.count > 0 ? (seen.mean * double(seen.count)).cpu() : torch::zeros({norm->running_mean.size(0)}, doubles);
        totals.push_back(torch::cat({torch::full({1}, double(seen.count), doubles), weighted}));
    }
    totals.push_back(torch::tensor({double(batches), complete ? 0.0 : 1.0}, doubles));
    ranks.sum(totals);

    std::vector<torch::Tensor> means, spreads;
    for (std::size_t i = 0; i < norms.size(); ++i) {
        const auto& seen = moments.at(norms[i]->running_mean.data_ptr());
        const double count = totals[i][0].item<double>();
        means.push_back(count > 0 ? totals[i].slice(0, 1) / count : totals[i].slice(0, 1));
        spreads.push_back(seen.count > 0 ? seen.squaredDeviations.cpu() + (seen.mean.cpu() - means[i]).square() * double(seen.count)
                                         : torch::zeros_like(means[i]));
    }
    ranks.sum(spreads);
    for (std::size_t i = 0; i < norms.size(); ++i) {
        auto& seen = moments.at(norms[i]->running_mean.data_ptr());
        seen.count = std::llround(totals[i][0].item<double>());
        seen.mean = means[i];
        seen.squaredDeviations = spreads[i];
    }
    batches = int(std::lround(totals.back()[0].item<double>()));
    return totals.back()[1].item<double>() == 0;
}

} // namespace

bool recalibrateBatchNorm(torch::nn::Module& model, const std::function<bool()>& forwardNextBatch, std::stop_token stop,
                          BatchNormLayers layers, DataParallelGroup* ranks) {
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
    if (ranks) complete = poolOverRanks(norms, moments, batches, complete, *ranks);
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
