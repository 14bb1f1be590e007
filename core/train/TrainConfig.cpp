#include "train/TrainConfig.h"

#include "common/Error.h"
#include "data/AugmentSpec.h"
#include "train/DeviceRequest.h"
#include "train/FreezePlan.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace graft {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TrainConfig, arch, init, newHead, epochs, minImagesSeen, batchSize, optimizer, learningRate,
                                                schedule, finalLearningRate, maxSteps, warmupEpochs, stepEpochs, stepGamma, momentum, nesterov,
                                                weightDecay, freeze, lrMultipliers, classBalanced, augment, augmentedViews, loaderThreads,
                                                earlyStopPatience, earlyStopMetric, checkpointMinutes, featureCache,
                                                featureCacheBudgetBytes, inputMemoryBudgetBytes, seed, labelsPerClass, device, mixedPrecision,
                                                channelsLast, recalibrateBatchNorm, inputSize, semiSupervised,
                                                unlabelledRatio, confidenceThreshold, unlabelledWeight, unlabelledPool, emaDecay,
                                                trainingDomains, targetDomain, domainAdaptation, adaptationWeight, tasks, taskWeights)

std::vector<std::string> nameList(const std::string& commaSeparated) {
    std::vector<std::string> domains;
    std::size_t start = 0;
    while (start <= commaSeparated.size()) {
        const auto end = std::min(commaSeparated.find(',', start), commaSeparated.size());
        if (end > start) domains.push_back(commaSeparated.substr(start, end - start));
        start = end + 1;
    }
    return domains;
}

std::optional<std::vector<double>> TrainConfig::fixedTaskWeights(std::size_t count) const {
    if (taskWeights == "uncertainty") return std::nullopt;
    if (taskWeights == "equal") return std::vector<double>(count, 1.0);
    std::vector<double> weights;
    for (const auto& text : nameList(taskWeights)) {
        std::size_t used = 0;
        double weight = 0;
        try {
            weight = std::stod(text, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != text.size() || !(weight >= 0))
            throw Error("task weights: '" + text + "' is not a weight of 0 or more (equal, uncertainty, or one number per task)");
        weights.push_back(weight);
    }
    if (weights.size() != count)
        throw Error("task weights: " + std::to_string(weights.size()) + " given for " + std::to_string(count) + " tasks");
    return weights;
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
    if (multiTask()) {
        fixedTaskWeights(nameList(tasks).size());
        const auto names = nameList(tasks);
        if (std::set<std::string>(names.begin(), names.end()).size() != names.size())
            throw Error("the tasks '" + tasks + "' name one task twice");
        // Each of these reads one label per image.
        if (learnsFromUnlabelled() || adaptsToDomain())
            throw Error("a multi-task run cannot yet also learn from unlabelled images or adapt to a domain");
        if (classBalanced) throw Error("class-balanced sampling balances one task's classes: train one task for it");
    }
    for (const auto& domain : nameList(trainingDomains))
        if (adaptsToDomain() && domain == targetDomain)
            throw Error("the target domain '" + targetDomain + "' is also a training domain: adaptation would train on its labels");
}

} // namespace graft
