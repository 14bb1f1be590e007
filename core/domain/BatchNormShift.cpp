#include "domain/BatchNormShift.h"

#include "common/Error.h"
#include "models/Classifier.h"
#include "train/BatchNormInputs.h"

#include <torch/nn/modules/batchnorm.h>

#include <algorithm>
#include <cstdio>

namespace graft {
namespace {

struct ObservedNorm {
    torch::nn::BatchNorm2dImpl* layer = nullptr;
    std::size_t block = 0;
};

double layerShift(const torch::nn::BatchNorm2dImpl& layer, const ChannelMoments& seen) {
    const double eps = layer.options.eps();
    const auto sourceMean = layer.running_mean.to(torch::kDouble), sourceVariance = layer.running_var.to(torch::kDouble) + eps;
    const auto targetVariance = seen.unbiasedVariance() + eps;
    const auto meanGap = (seen.mean - sourceMean).square();
    const auto perChannel = 0.25 * (targetVariance / sourceVariance + sourceVariance / targetVariance - 2) +
                            0.25 * meanGap * (1 / sourceVariance + 1 / targetVariance);
    return perChannel.mean().item<double>();
}

} // namespace

std::vector<BlockShift> batchNormShift(ClassifierImpl& model, const std::function<bool()>& forwardNextBatch,
                                       std::stop_token stop) {
    const auto blocks = model.blocks();
    std::vector<BlockShift> shifts;
    for (const auto& block : blocks) shifts.push_back({block.name, 0.0, 0});
    std::vector<ObservedNorm> norms;
    BatchNormMoments moments;
    for (const auto& item : model.named_modules("", /*include_self=*/false)) {
        const auto& name = item.key();
        auto* norm = dynamic_cast<torch::nn::BatchNorm2dImpl*>(item.value().get());
        if (!norm || !norm->options.track_running_stats()) continue;
        const auto owner = std::find_if(blocks.begin(), blocks.end(), [&](const NetworkBlock& block) {
            return std::any_of(block.parameterPrefixes.begin(), block.parameterPrefixes.end(),
                               [&](const std::string& prefix) { return (name + ".").starts_with(prefix); });
        });
        if (owner == blocks.end()) continue;
        norms.push_back({norm, std::size_t(owner - blocks.begin())});
        moments[norm->running_mean.data_ptr()];
    }
    model.eval();
    int batches = 0;
    {
        torch::NoGradGuard noGrad;
        BatchNormInputObserver observer(moments);
        for (;; ++batches) {
            if (stop.stop_requested()) throw Error("measuring the domain gap: stopped");
            if (!forwardNextBatch()) break;
        }
    }
    if (batches == 0) throw Error("measuring the domain gap: no images to measure");
    for (const auto& norm : norms) {
        const auto& seen = moments.at(norm.layer->running_mean.data_ptr());
        if (seen.count < 2) continue;
        auto& shift = shifts[norm.block];
        shift.shift += layerShift(*norm.layer, seen);
        ++shift.layers;
    }
    for (auto& shift : shifts)
        if (shift.layers > 0) shift.shift /= shift.layers;
    return shifts;
}

std::string shiftReading(const std::vector<BlockShift>& shifts) {
    const auto most = std::max_element(shifts.begin(), shifts.end(), [](const BlockShift& a, const BlockShift& b) {
        return (a.layers > 0 ? a.shift : -1.0) < (b.layers > 0 ? b.shift : -1.0);
    });
    if (most == shifts.end() || most->layers == 0)
        return "This model has no BatchNorm layers, so it remembers no source statistics to compare with.";
    return most->block + " shifts most: fine-tune from " + most->block + " on";
}

} // namespace graft
