#include "train/Trainer.h"

#include "common/Error.h"
#include "models/Weights.h"
#include "train/ClassBalancedSampling.h"
#include "train/Evaluation.h"
#include "train/LearningRateSchedule.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

#include <chrono>
#include <cmath>

namespace graft {

Trainer::Trainer(std::shared_ptr<ClassifierImpl> model, TrainConfig config, torch::Device device)
    : model_(std::move(model)), config_(std::move(config)), device_(device),
      freezePlan_(FreezePlan::parse(config_.freeze)), blocks_(model_->blocks()), parameters_(parametersByBlock(*model_)) {
    // Multipliers ramp over the blocks that train by the end of the run.
    const auto frozenAtEnd = freezePlan_.frozenAt(blocks_, config_.epochs);
    std::vector<std::string> trainable;
    for (const auto& group : parameters_)
        if (!frozenAtEnd.contains(group.block)) trainable.push_back(group.block);
    multipliers_ = learningRateMultipliers(config_.lrMultipliers, trainable);
}

void Trainer::addParameterGroups(const BlockParameters& block, double multiplier) {
    const double rate = config_.learningRate * multiplier;
    for (const bool decayed : {true, false}) {
        const auto& tensors = decayed ? block.decayed : block.undecayed;
        if (tensors.empty()) continue;
        const double decay = decayed ? config_.weightDecay : 0.0;
        std::unique_ptr<torch::optim::OptimizerOptions> options;
        if (config_.optimizer == "sgd")
            options = std::make_unique<torch::optim::SGDOptions>(
                torch::optim::SGDOptions(rate).momentum(config_.momentum).nesterov(config_.nesterov).weight_decay(decay));
        else options = std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(rate).weight_decay(decay));
        torch::optim::OptimizerParamGroup group(tensors, std::move(options));
        if (!optimizer_) {
            std::vector<torch::optim::OptimizerParamGroup> groups{group};
            if (config_.optimizer == "sgd")
                optimizer_ = std::make_unique<torch::optim::SGD>(groups, torch::optim::SGDOptions(config_.learningRate));
            else optimizer_ = std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(config_.learningRate));
        } else {
            optimizer_->add_param_group(group);
        }
        groupBaseRates_.push_back(rate);
    }
}

std::size_t Trainer::cacheablePrefix() const {
    if (!config_.featureCache || freezePlan_.isGradual()) return 0;
    const auto frozen = freezePlan_.frozenAt(blocks_, 1);
    std::size_t length = 0;
    while (length < blocks_.size() &&
           (blocks_[length].parameterPrefixes.empty() || frozen.contains(blocks_[length].name)))
        ++length;
    return length == blocks_.size() ? 0 : length;
}

std::int64_t Trainer::cachedFeatureBytesPerImage(const torch::Tensor& oneImage) {
    torch::NoGradGuard noGrad;
    model_->eval();
    auto x = oneImage.to(device_);
    for (std::size_t i = 0; i < cachedBlocks_; ++i) x = blocks_[i].forward(x);
    return std::int64_t(x.nbytes());
}

torch::Tensor Trainer::forwardFrom(std::size_t first, torch::Tensor x) {
    if (first == 0) return model_->forward(x);
    for (std::size_t i = first; i < blocks_.size(); ++i) x = blocks_[i].forward(x);
    return x;
}

std::int64_t Trainer::optimizedParameters() const {
    std::int64_t count = 0;
    if (optimizer_)
        for (const auto& group : optimizer_->param_groups())
            for (const auto& parameter : group.params()) count += parameter.numel();
    return count;
}

void Trainer::prepareEpoch(int epoch) {
    const auto frozen = freezePlan_.frozenAt(blocks_, epoch);
    if (frozen != frozen_ || !optimizer_) {
        frozen_ = frozen;
        applyFreeze(parameters_, frozen_);
        for (const auto& block : parameters_) {
            if (frozen_.contains(block.block) || inOptimizer_.contains(block.block)) continue;
            addParameterGroups(block, multipliers_.at(block.block));
            inOptimizer_.insert(block.block);
        }
    }
    setTrainingModes(*model_, blocks_, frozen_);
}

TrainOutcome Trainer::train(const LabeledTensors& trainSet, const LabeledTensors& valSet, TrainObserver& observer,
                            std::stop_token stop) {
    model_->to(device_);
    // A private generator keeps the batch order a function of the seed alone.
    auto shuffler = at::make_generator<at::CPUGeneratorImpl>(config_.seed);
    const std::int64_t batch = config_.batchSize;
    const std::int64_t stepsPerEpoch = (trainSet.size() + batch - 1) / batch;
    LearningRateSchedule schedule;
    schedule.kind = config_.schedule;
    schedule.totalSteps = stepsPerEpoch * config_.epochs;
    if (config_.maxSteps > 0) schedule.totalSteps = std::min(schedule.totalSteps, config_.maxSteps);
    schedule.finalFactor = config_.finalLearningRate / config_.learningRate;
    schedule.warmupSteps = std::int64_t(std::llround(config_.warmupEpochs * double(stepsPerEpoch)));
    schedule.stepEvery = stepsPerEpoch * (config_.stepEpochs > 0 ? config_.stepEpochs : std::max(1, config_.epochs / 3));
    schedule.gamma = config_.stepGamma;

    TrainOutcome outcome;
    // A frozen prefix gives the same activations every epoch: compute them once, then train and
    // validate only the rest of the network on them.
    cachedBlocks_ = cacheablePrefix();
    if (cachedBlocks_ > 0 && trainSet.size() > 0) {
        const double bytes = double(cachedFeatureBytesPerImage(trainSet.images.slice(0, 0, 1))) *
                             double(trainSet.size() + valSet.size());
        if (bytes > double(config_.featureCacheBudgetBytes)) {
            observer.onLog("Not caching the frozen blocks' features: they would take " +
                           std::to_string(std::llround(bytes / 1e6)) + " MB, over the budget of " +
                           std::to_string(config_.featureCacheBudgetBytes / 1000000) + " MB; every epoch runs the whole network");
            cachedBlocks_ = 0;
        }
    }
    LabeledTensors trainInputs = trainSet, valInputs = valSet;
    if (cachedBlocks_ > 0) {
        FeatureCache ownCache;
        FeatureCache& cache = sharedCache_ ? *sharedCache_ : ownCache;
        observer.onLog("Computing the frozen blocks' features once (" + blocks_.front().name + " to " +
                       blocks_[cachedBlocks_ - 1].name + ")");
        auto trainFeatures = cache.features(*model_, blocks_, cachedBlocks_, trainSet.images, config_.batchSize, device_, stop);
        auto valFeatures = valSet.size() > 0 ? cache.features(*model_, blocks_, cachedBlocks_, valSet.images,
                                                              config_.batchSize, device_, stop)
                                             : std::optional<torch::Tensor>(valSet.images);
        if (!trainFeatures || !valFeatures) {
            outcome.status = TrainStatus::Cancelled;
            return outcome;
        }
        trainInputs.images = *trainFeatures;
        valInputs.images = *valFeatures;
    }
    double bestScore = -INFINITY;
    int epochsWithoutGain = 0;
    for (int epoch = 1; epoch <= config_.epochs; ++epoch) {
        const auto started = std::chrono::steady_clock::now();
        prepareEpoch(epoch);
        const auto order = config_.classBalanced ? classBalancedOrder(trainSet.labels, shuffler)
                                                 : torch::randperm(trainSet.size(), shuffler, torch::kLong);
        double lossSum = 0;
        std::int64_t correct = 0;
        for (std::int64_t begin = 0; begin < trainSet.size(); begin += batch) {
            if (stop.stop_requested()) {
                outcome.status = TrainStatus::Cancelled;
                return outcome;
            }
            if (config_.maxSteps > 0 && outcome.steps >= config_.maxSteps) return outcome;
            const auto indices = order.slice(0, begin, std::min(begin + batch, trainSet.size()));
            const auto images = trainInputs.images.index_select(0, indices).to(device_);
            const auto labels = trainSet.labels.index_select(0, indices).to(device_);

            const double factor = schedule.factor(outcome.steps + 1);
            auto& groups = optimizer_->param_groups();
            for (std::size_t g = 0; g < groups.size(); ++g) groups[g].options().set_lr(groupBaseRates_[g] * factor);
            const double learningRate = config_.learningRate * factor;
            optimizer_->zero_grad();
            const auto logits = forwardFrom(cachedBlocks_, images);
            const auto loss = torch::nn::functional::cross_entropy(logits, labels);
            loss.backward();
            optimizer_->step();

            const double lossValue = loss.item<double>();
            ++outcome.steps;
            if (!std::isfinite(lossValue))
                throw Error("training diverged: the loss became " + std::to_string(lossValue) + " at step " +
                            std::to_string(outcome.steps) + "; try a lower learning rate");
            lossSum += lossValue * double(indices.size(0));
            correct += logits.argmax(1).eq(labels).sum().item<std::int64_t>();
            observer.onStep({outcome.steps, epoch, stepsPerEpoch, lossValue, learningRate});
        }

        EpochEvent event;
        event.epoch = epoch;
        event.epochs = config_.epochs;
        event.step = outcome.steps;
        event.trainLoss = lossSum / double(trainSet.size());
        event.trainAccuracy = double(correct) / double(trainSet.size());
        if (valSet.size() > 0) {
            model_->eval();
            const auto validation = evaluateWith([&](torch::Tensor x) { return forwardFrom(cachedBlocks_, x); },
                                                 valInputs, config_.batchSize, device_, stop);
            if (!validation.complete) {
                outcome.status = TrainStatus::Cancelled;
                return outcome;
            }
            event.validated = true;
            event.valLoss = validation.loss;
            event.valAccuracy = validation.accuracy;
        }
        event.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        observer.onEpoch(event);
        observer.onCheckpoint(epoch, outcome.steps, serializeWeights(*model_));
        outcome.epochsCompleted = epoch;
        outcome.lastEpoch = event;
        if (event.validated && config_.earlyStopPatience > 0) {
            const double score = config_.earlyStopMetric == "val_accuracy" ? event.valAccuracy : -event.valLoss;
            constexpr double kMinimumGain = 1e-4;
            if (score > bestScore + kMinimumGain) bestScore = score, epochsWithoutGain = 0;
            else if (++epochsWithoutGain >= config_.earlyStopPatience) {
                observer.onLog("Stopping early: " + config_.earlyStopMetric + " has not improved for " +
                               std::to_string(epochsWithoutGain) + " epoch(s)");
                outcome.stoppedEarly = true;
                break;
            }
        }
    }
    return outcome;
}

} // namespace graft
