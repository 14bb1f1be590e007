#include "train/TrainConfig.h"

#include "common/Error.h"
#include "data/AugmentSpec.h"
#include "train/DeviceRequest.h"
#include "train/FreezePlan.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace graft {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TrainConfig, arch, init, newHead, epochs, minImagesSeen, batchSize, optimizer, learningRate,
                                                schedule, finalLearningRate, maxSteps, warmupEpochs, stepEpochs, stepGamma, momentum, nesterov,
                                                weightDecay, freeze, lrMultipliers, classBalanced, augment, augmentedViews, loaderThreads,
                                                earlyStopPatience, earlyStopMetric, checkpointMinutes, featureCache,
                                                featureCacheBudgetBytes, inputMemoryBudgetBytes, seed, labelsPerClass, device, mixedPrecision,
                                                channelsLast, recalibrateBatchNorm, inputSize, semiSupervised,
                                                unlabelledRatio, confidenceThreshold, unlabelledWeight, unlabelledPool, emaDecay,
                                                trainingDomains, targetDomain, domainAdaptation, adaptationWeight)

std::vector<std::string> domainList(const std::string& commaSeparated) {
    std::vector<std::string> domains;
    std::size_t start = 0;
    while (start <= commaSeparated.size()) {
        const auto end = std::min(commaSeparated.find(',', start), commaSeparated.size());
        if (end > start) domains.push_back(commaSeparated.substr(start, end - start));
        start = end + 1;
    }
    return domains;
}

int TrainConfig::epochsFor(std::int64_t trainImages) const {
    if (minImagesSeen <= 0 || trainImages <= 0) return epochs;
    return std::max(epochs, int((minImagesSeen + trainImages - 1) / trainImages));
}

std::string TrainConfig::toJson() const { return nlohmann::json(*this).dump(); }

TrainConfig TrainConfig::fromJson(const std::string& json) {
    try {
        return nlohmann::json::parse(json).get<TrainConfig>();
    } catch (const nlohmann::json::exception& error) {
        throw Error(std::string("invalid training configuration: ") + error.what());
    }
}

void TrainConfig::validate() const {
    if (epochs < 1) throw Error("epochs must be at least 1");
    if (minImagesSeen < 0) throw Error("the minimum of images seen must not be negative (0: just the epochs)");
    if (batchSize < 1) throw Error("batch size must be at least 1");
    if (!(learningRate > 0)) throw Error("learning rate must be positive");
    if (weightDecay < 0) throw Error("weight decay must not be negative");
    if (labelsPerClass < 0) throw Error("labels per class must not be negative (0 means all)");
    if (optimizer != "adam" && optimizer != "sgd") throw Error("unknown optimizer '" + optimizer + "' (adam or sgd)");
    if (schedule != "cosine" && schedule != "constant" && schedule != "step" && schedule != "onecycle" &&
        schedule != "exponential")
        throw Error("unknown schedule '" + schedule + "' (constant, step, cosine or onecycle)");
    if (schedule == "exponential" && !(finalLearningRate > 0)) throw Error("an exponential sweep needs a final learning rate");
    if (maxSteps < 0) throw Error("the step limit must not be negative (0: none)");
    if (warmupEpochs < 0 || warmupEpochs >= epochs) throw Error("warm-up must be at least 0 and shorter than the run");
    if (stepEpochs < 0) throw Error("step schedule interval must not be negative (0: a third of the run)");
    if (!(stepGamma > 0 && stepGamma <= 1)) throw Error("step schedule gamma must be in (0, 1]");
    if (nesterov && (optimizer != "sgd" || !(momentum > 0))) throw Error("Nesterov momentum needs --optimizer sgd with momentum > 0");
    if (earlyStopPatience < 0) throw Error("early-stopping patience must not be negative (0: off)");
    if (earlyStopMetric != "val_loss" && earlyStopMetric != "val_accuracy")
        throw Error("unknown early-stopping metric '" + earlyStopMetric + "' (val_loss or val_accuracy)");
    FreezePlan::parse(freeze);
    AugmentSpec::parse(augment);
    if (augmentedViews < 0) throw Error("augmented views must not be negative (0: augment afresh every epoch)");
    if (loaderThreads < 0) throw Error("loader threads must not be negative (0: automatic)");
    DeviceRequest::parse(device);
    if (inputSize != 0 && (inputSize < kSmallestInputSize || inputSize > kLargestInputSize))
        throw Error("input size must be 0 (the architecture's own) or " + std::to_string(kSmallestInputSize) + " to " +
                    std::to_string(kLargestInputSize) + " pixels, not " + std::to_string(inputSize));
    if (semiSupervised != "none" && semiSupervised != "fixmatch")
        throw Error("unknown semi-supervised method '" + semiSupervised + "' (none or fixmatch)");
    if (unlabelledRatio < 1) throw Error("the unlabelled ratio (FixMatch's mu) must be at least 1");
    if (!(confidenceThreshold >= 0 && confidenceThreshold <= 1))
        throw Error("the confidence threshold (FixMatch's tau) must be between 0 and 1");
    if (!(unlabelledWeight >= 0)) throw Error("the unlabelled loss weight (FixMatch's lambda_u) must not be negative");
    if (unlabelledPool != "unlabelled" && unlabelledPool != "beyond-budget")
        throw Error("unknown unlabelled pool '" + unlabelledPool + "' (unlabelled or beyond-budget)");
    if (!(emaDecay >= 0 && emaDecay < 1)) throw Error("the weight average's decay must be at least 0 and below 1 (0: off)");
    if (domainAdaptation != "none" && domainAdaptation != "adabn" && domainAdaptation != "coral" && domainAdaptation != "dann")
        throw Error("unknown domain adaptation '" + domainAdaptation + "' (none, adabn, coral or dann)");
    if (adaptsToDomain() && targetDomain.empty()) throw Error("domain adaptation needs a target domain");
    if (adaptsToDomain() && learnsFromUnlabelled())
        throw Error("domain adaptation and semi-supervised training both read unlabelled images: choose one per run");
    if (!(adaptationWeight >= 0)) throw Error("the adaptation loss weight must not be negative");
    for (const auto& domain : domainList(trainingDomains))
        if (adaptsToDomain() && domain == targetDomain)
            throw Error("the target domain '" + targetDomain + "' is also a training domain: adaptation would train on its labels");
}

} // namespace graft
