#include "train/Trainer.h"

#include "common/Error.h"
#include "data/AugmentedBatches.h"
#include "domain/CoralLoss.h"
#include "domain/GradientReversal.h"
#include "export/FoldedClassifier.h"
#include "models/Architectures.h"
#include "models/ChannelsLast.h"
#include "models/Weights.h"
#include "train/AugmentedEpochs.h"
#include "train/BatchNormRecalibration.h"
#include "train/CheckpointWeights.h"
#include "train/ClassBalancedSampling.h"
#include "train/Evaluation.h"
#include "train/FixMatchLoss.h"
#include "train/TaskEvaluation.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <sstream>

namespace graft {
namespace {

// Features over the memory budget go to the project only up to this size; beyond it the disk
// cost outweighs recomputing them.
constexpr double kProjectFeatureBudgetBytes = double(std::int64_t(16) << 30);

// LibTorch 2.4 made autocast per device type; Debian's 1.13 has only the CUDA switch.
void setCudaAutocast(bool enabled) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    at::autocast::set_autocast_enabled(at::kCUDA, enabled);
#else
    at::autocast::set_enabled(enabled);
#endif
}

// CUDA autocast for one forward pass: matmuls and convolutions in float16, reductions in float32.
class AutocastScope {
public:
    explicit AutocastScope(bool enabled) : enabled_(enabled) {
        if (enabled_) setCudaAutocast(true);
    }
    ~AutocastScope() {
        if (!enabled_) return;
        setCudaAutocast(false);
        at::autocast::clear_cache();
    }
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

private:
    bool enabled_;
};

} // namespace

Trainer::Trainer(std::shared_ptr<ClassifierImpl> model, TrainConfig config, torch::Device device)
    : model_(std::move(model)), config_(std::move(config)), device_(device),
      freezePlan_(FreezePlan::parse(config_.freeze)), augment_(AugmentSpec::parse(config_.augment)),
      blocks_(model_->blocks()), parameters_(parametersByBlock(*model_)) {
    // Multipliers ramp over the blocks that train by the end of the run.
    const auto frozenAtEnd = freezePlan_.frozenAt(blocks_, config_.epochs);
    std::vector<std::string> trainable;
    for (const auto& group : parameters_)
        if (!frozenAtEnd.contains(group.block)) trainable.push_back(group.block);
    multipliers_ = learningRateMultipliers(config_.lrMultipliers, trainable);
}

void Trainer::trainFromEncoded(const ImageBytesSource& encoded, const PreprocessSpec& preprocess) {
    encoded_ = &encoded;
    preprocess_ = preprocess;
    augment_ = augment_.forChannels(preprocess.channels());
}

void Trainer::learnFromUnlabelled(const ImageBytesSource& pool, const PreprocessSpec& preprocess) {
    unlabelled_ = &pool;
    preprocess_ = preprocess;
    augment_ = augment_.forChannels(preprocess.channels());
}

BatchPlan Trainer::unlabelledPlan(int epoch, std::int64_t stepsPerEpoch, std::int64_t firstBatch) const {
    // FixMatch's mu x batch images in two views each; a domain-adaptation target batch as large as the labelled one.
    const std::int64_t perStep =
        config_.learnsFromUnlabelled() ? std::int64_t(config_.unlabelledRatio) * config_.batchSize : config_.batchSize;
    const auto poolSize = unlabelled_->size();
    BatchPlan plan;
    plan.batchSize = int(perStep);
    plan.firstBatch = firstBatch;
    plan.epochSeed = augmentationSeed(~config_.seed, epoch);
    plan.strongViews = config_.learnsFromUnlabelled();
    // The pool is walked in pass after pass, each in its own seeded order; step s takes places
    // [s * perStep, (s + 1) * perStep) of that endless walk.
    const std::int64_t first = std::int64_t(epoch - 1) * stepsPerEpoch * perStep;
    plan.order.reserve(std::size_t(stepsPerEpoch * perStep));
    torch::Tensor passOrder;
    std::int64_t pass = -1;
    for (std::int64_t place = first; place < first + stepsPerEpoch * perStep; ++place) {
        if (place / poolSize != pass) {
            pass = place / poolSize;
            auto drawer = at::make_generator<at::CPUGeneratorImpl>(config_.seed * 7919u + std::uint64_t(pass));
            passOrder = torch::randperm(poolSize, drawer, torch::kLong);
        }
        plan.order.push_back(passOrder.data_ptr<std::int64_t>()[place % poolSize]);
    }
    return plan;
}

void Trainer::updateAveragedWeights() {
    torch::NoGradGuard noGrad;
    const auto parameters = model_->parameters();
    for (std::size_t i = 0; i < parameters.size(); ++i)
        averagedWeights_[i].mul_(config_.emaDecay).add_(parameters[i].detach(), 1.0 - config_.emaDecay);
}

void Trainer::swapAveragedWeights() {
    torch::NoGradGuard noGrad;
    auto parameters = model_->parameters();
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        const auto current = parameters[i].detach().clone();
        parameters[i].detach().copy_(averagedWeights_[i]);
        averagedWeights_[i].copy_(current);
    }
    averagedInModel_ = !averagedInModel_;
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
    auto x = toDevice(oneImage);
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
    // After the first epoch's blocks, so a resume that rebuilds the groups epoch by epoch finds it in the same place.
    if (domainClassifier_ && !domainClassifierInOptimizer_) {
        BlockParameters head{"domain classifier", {}, {}};
        for (const auto& parameter : domainClassifier_->parameters())
            (parameter.dim() <= 1 ? head.undecayed : head.decayed).push_back(parameter);
        addParameterGroups(head, 1.0);
        domainClassifierInOptimizer_ = true;
    }
    // Uncertainty weighting's variances the same way, undecayed at the base rate.
    if (taskLoss_ && !taskWeightsInOptimizer_ && !taskLoss_->parameters().empty()) {
        addParameterGroups({"task weights", {}, taskLoss_->parameters()}, 1.0);
        taskWeightsInOptimizer_ = true;
    }
    setTrainingModes(*model_, blocks_, frozen_);
}

void Trainer::learnTasks(std::vector<TaskHead> tasks) {
    std::vector<std::int64_t> classes;
    for (const auto& task : tasks) classes.push_back(std::int64_t(task.classes.size()));
    TaskColumns columns(classes);
    const auto fixed = config_.fixedTaskWeights(tasks.size());
    taskLoss_ = fixed ? MultiTaskLoss(columns, *fixed) : MultiTaskLoss(columns);
    taskLoss_->to(device_);
    taskWeightsInOptimizer_ = false;
    tasks_ = std::move(tasks);
}

std::int64_t Trainer::correctPredictions(const torch::Tensor& logits, const torch::Tensor& labels) const {
    if (!taskLoss_) return logits.argmax(1).eq(labels).sum().item<std::int64_t>();
    std::int64_t correct = 0; // kNoLabel is never an argmax
    for (std::size_t task = 0; task < tasks_.size(); ++task)
        correct += taskLoss_->columns().of(logits, task).argmax(1).eq(labels.select(1, std::int64_t(task))).sum().item<std::int64_t>();
    return correct;
}

void Trainer::createDomainClassifier() {
    // The width of what the head reads, from one target image.
    torch::NoGradGuard noGrad;
    model_->eval();
    auto x = toDevice(preprocessForEval(decodeImage(unlabelled_->bytes(0), preprocess_.color), preprocess_).unsqueeze(0));
    for (std::size_t i = 0; i + 1 < blocks_.size(); ++i) x = blocks_[i].forward(x);
    {
        const std::lock_guard lock(modelConstructionMutex()); // its draws follow the generator's state
        domainClassifier_ = DomainClassifier(x.flatten(1).size(1));
    }
    domainClassifier_->to(device_);
    domainClassifierInOptimizer_ = false;
}

std::unique_ptr<AugmentedBatches> Trainer::plainTargetBatches() const {
    auto drawer = at::make_generator<at::CPUGeneratorImpl>(config_.seed + 1);
    const auto order = torch::randperm(unlabelled_->size(), drawer, torch::kLong);
    return std::make_unique<AugmentedBatches>(*unlabelled_, preprocess_, AugmentSpec{}, epochPlan(order, 0, config_.batchSize, 0),
                                              loaderThreads(config_), kBatchesAhead, onCuda());
}

std::optional<std::vector<std::uint8_t>> Trainer::targetAdaptedWeights(std::stop_token stop) {
    std::vector<torch::Tensor> kept;
    for (const auto& buffer : model_->buffers()) kept.push_back(buffer.clone());
    const auto target = plainTargetBatches();
    const auto forwardNextBatch = [&] {
        if (target->done()) return false;
        AutocastScope autocast(scaler_.has_value());
        model_->forward(toDevice(target->next()));
        return true;
    };
    const bool complete = graft::recalibrateBatchNorm(*model_, forwardNextBatch, stop, BatchNormLayers::All);
    std::optional<std::vector<std::uint8_t>> weights;
    if (complete) weights = serializeWeights(*model_);
    torch::NoGradGuard noGrad;
    auto buffers = model_->buffers();
    for (std::size_t i = 0; i < buffers.size(); ++i) buffers[i].copy_(kept[i]);
    return weights;
}

LearningRateSchedule Trainer::scheduleFor(std::int64_t stepsPerEpoch) const {
    LearningRateSchedule schedule;
    schedule.kind = config_.schedule;
    schedule.totalSteps = stepsPerEpoch * config_.epochs;
    if (config_.maxSteps > 0) schedule.totalSteps = std::min(schedule.totalSteps, config_.maxSteps);
    schedule.finalFactor = config_.finalLearningRate / config_.learningRate;
    schedule.warmupSteps = std::int64_t(std::llround(config_.warmupEpochs * double(stepsPerEpoch)));
    schedule.stepEvery = stepsPerEpoch * (config_.stepEpochs > 0 ? config_.stepEpochs : std::max(1, config_.epochs / 3));
    schedule.gamma = config_.stepGamma;
    return schedule;
}

void Trainer::placeModel() {
    model_->to(device_);
    if (config_.channelsLast) convertToChannelsLast(*model_);
}

torch::Tensor Trainer::toDevice(const torch::Tensor& images) const {
    auto placed = images.to(device_, /*non_blocking=*/onCuda());
    if (placed.scalar_type() == torch::kUInt8) { // a quarter of the bytes to move; normalised where the model runs
        if (!pixelNormalisation_) throw Error("the Trainer got uint8 images without their normalisation (normalisePixelsWith)");
        placed = normalisedPixels(placed, *pixelNormalisation_);
    }
    return config_.channelsLast ? channelsLast(placed) : placed;
}

torch::Tensor Trainer::runCachedBlocks(const torch::Tensor& inputs) {
    torch::NoGradGuard noGrad;
    if (!cachedPrefix_) cachedPrefix_ = prefixFunction(*model_, blocks_, cachedBlocks_, device_);
    model_->eval();
    return cachedPrefix_(toDevice(inputs)).to(torch::kCPU);
}

bool Trainer::recalibrateBatchNorm(const torch::Tensor& trainInputs, std::int64_t images, std::stop_token stop) {
    if (!config_.recalibrateBatchNorm) return true;
    // The layers normalise each batch with its own statistics during the pass, which is what the
    // layers after them see: walked in their stored order, class after class, the batches would
    // each hold one class. A fixed random order keeps every pass of the run the same.
    auto drawer = at::make_generator<at::CPUGeneratorImpl>(config_.seed);
    const auto order = torch::randperm(images, drawer, torch::kLong);
    // A data-parallel run's ranks each pass a share of those batches and pool the statistics.
    const auto [begin, end] = recalibrationShare(images);
    std::unique_ptr<AugmentedBatches> plain; // decoded batch by batch: decode the images as validation sees them
    if (decodesTrainingBatches() && begin < end) {
        const auto passed = order.slice(0, 0, end);
        plain = std::make_unique<AugmentedBatches>(*encoded_, preprocess_, AugmentSpec{},
                                                   augment_.enabled() ? epochPlan(passed, begin, config_.batchSize, 0) : plainPlan(passed, begin),
                                                   loaderThreads(config_), kBatchesAhead, onCuda());
    }
    // CORAL and DANN train on batches of both domains, so their statistics are of both, as the
    // running averages of DANN's reference implementation are.
    const auto target = alignsFeatures() ? plainTargetBatches() : nullptr;
    std::int64_t next = begin;
    const auto forwardNextBatch = [&] {
        if (next >= end && target && !target->done()) {
            AutocastScope autocast(scaler_.has_value());
            model_->forward(toDevice(target->next()));
            return true;
        }
        if (next >= end) return false;
        const auto indices = order.slice(0, next, std::min(next + config_.batchSize, end));
        const auto batch = plain            ? plain->next()
                           : storedFeatures_ ? storedFeatures_->rows(trainFeatureKey_, indices)
                                             : trainInputs.index_select(0, indices);
        AutocastScope autocast(scaler_.has_value());
        forwardFrom(cachedBlocks_, toDevice(batch));
        next += indices.size(0);
        return true;
    };
    return graft::recalibrateBatchNorm(*model_, forwardNextBatch, stop, BatchNormLayers::Trainable, group_);
}

std::pair<std::int64_t, std::int64_t> Trainer::recalibrationShare(std::int64_t images) const {
    if (!group_) return {0, images};
    // Whole batches, so that each is the batch one process would pass.
    const std::int64_t batches = (images + config_.batchSize - 1) / config_.batchSize;
    const std::int64_t rank = group_->rank(), ranks = group_->worldSize();
    return {std::min(images, batches * rank / ranks * config_.batchSize),
            std::min(images, batches * (rank + 1) / ranks * config_.batchSize)};
}

bool Trainer::storeFeaturesInProject(const LabeledTensors& trainSet, const LabeledTensors& valSet,
                                     TrainObserver& observer, std::stop_token stop) {
    storedFeatures_ = std::make_unique<ProjectFeatureStore>(featureProject_);
    trainFeatureKey_ = FeatureCache::keyFor(*model_, blocks_, cachedBlocks_, trainSet.images, trainImagesKey_);
    valFeatureKey_ = valSet.size() > 0 ? FeatureCache::keyFor(*model_, blocks_, cachedBlocks_, valSet.images, valImagesKey_) : "";
    for (const auto& [key, images] : {std::pair{trainFeatureKey_, trainSet.images}, std::pair{valFeatureKey_, valSet.images}}) {
        if (key.empty()) continue;
        if (storedFeatures_->has(key)) {
            observer.onLog("Reusing the frozen blocks' features stored in the project");
            continue;
        }
        observer.onLog("Computing the frozen blocks' features once into the project (" + std::to_string(images.size(0)) +
                       " images)");
        const auto featuresOf = [&](std::int64_t begin, std::int64_t end) { return runCachedBlocks(images.slice(0, begin, end)); };
        if (!storedFeatures_->write(key, images.size(0), config_.batchSize, featuresOf, stop)) return false;
    }
    return true;
}

std::optional<torch::Tensor> Trainer::augmentedViewFeatures(std::int64_t images, TrainObserver& observer,
                                                           std::stop_token stop) {
    const auto identity = torch::arange(images, torch::kLong);
    for (int view = 1; view <= config_.augmentedViews; ++view) {
        observer.onLog("Computing the frozen blocks' features of augmented view " + std::to_string(view) + " of " +
                       std::to_string(config_.augmentedViews));
        auto features = encodedFeatures(*encoded_, augment_, epochPlan(identity, 0, config_.batchSize, augmentationSeed(config_.seed, view)),
                                        stop);
        if (!features) return std::nullopt;
        viewFeatures_.push_back(*features);
    }
    return viewFeatures_.front();
}

std::optional<torch::Tensor> Trainer::encodedFeatures(const ImageBytesSource& encoded,
                                                      const AugmentSpec& augment, BatchPlan plan, std::stop_token stop) {
    AugmentedBatches batches(encoded, preprocess_, augment, std::move(plan), loaderThreads(config_), kBatchesAhead, onCuda());
    std::vector<torch::Tensor> parts;
    while (!batches.done()) {
        if (stop.stop_requested()) return std::nullopt;
        parts.push_back(runCachedBlocks(batches.next()));
    }
    return torch::cat(parts);
}

BatchPlan Trainer::plainPlan(const torch::Tensor& order, std::int64_t firstImage) const {
    auto plan = epochPlan(order, firstImage, config_.batchSize, 0);
    plan.evalPreprocessing = true;
    return plan;
}

BatchPlan Trainer::validationPlan() const {
    return inOrderPlan(valEncoded_->size(), config_.batchSize, "validation image");
}

Trainer::FeatureStorage Trainer::featureStorage(const LabeledTensors& trainSet, std::int64_t valImages,
                                                TrainObserver& observer) {
    if (cachedBlocks_ == 0 || trainSet.size() == 0) return FeatureStorage::None;
    const auto oneImage = encoded_ ? preprocessForEval(decodeImage(encoded_->bytes(0), preprocess_.color), preprocess_).unsqueeze(0)
                                   : trainSet.images.slice(0, 0, 1);
    const double views = augment_.enabled() ? double(config_.augmentedViews) : 1.0;
    const double bytes = double(cachedFeatureBytesPerImage(oneImage)) * (double(trainSet.size()) * views + double(valImages));
    if (bytes <= double(config_.featureCacheBudgetBytes)) return FeatureStorage::Memory;
    const std::string size = std::to_string(std::llround(bytes / 1e6)) + " MB, over the memory budget of " +
                             std::to_string(config_.featureCacheBudgetBytes / 1000000) + " MB";
    if (!encoded_ && !valEncoded_ && !featureProject_.empty() && bytes <= kProjectFeatureBudgetBytes) {
        observer.onLog("The frozen blocks' features take " + size + ": keeping them in the project");
        return FeatureStorage::Project;
    }
    observer.onLog("Not caching the frozen blocks' features: they would take " + size + "; every epoch runs the whole network");
    return FeatureStorage::None;
}

std::optional<std::pair<LabeledTensors, LabeledTensors>> Trainer::trainableInputs(const LabeledTensors& trainSet,
                                                                                  const LabeledTensors& valSet,
                                                                                  TrainObserver& observer,
                                                                                  std::stop_token stop) {
    // A frozen prefix gives the same activations every epoch: compute them once, then train and
    // validate only the rest of the network on them. Augmented images differ every epoch, unless
    // the user asked for K fixed augmented views.
    const bool augmenting = augment_.enabled();
    cachedBlocks_ = augmenting && config_.augmentedViews == 0 ? 0 : cacheablePrefix();
    if (cachedBlocks_ > 0 && config_.learnsFromUnlabelled()) {
        observer.onLog("Not caching the frozen blocks' features: the unlabelled images' weak and strong views are drawn "
                       "afresh at every step, so every batch runs the whole network (the frozen blocks still do not train)");
        cachedBlocks_ = 0;
    }
    if (cachedBlocks_ > 0 && alignsFeatures()) {
        observer.onLog("Not caching the frozen blocks' features: every step runs a batch of target images with the labelled "
                       "one through the whole network (the frozen blocks still do not train)");
        cachedBlocks_ = 0;
    }
    viewFeatures_.clear();
    storedFeatures_.reset();
    cachedPrefix_ = nullptr;
    const auto storage = featureStorage(trainSet, valSet.size(), observer);
    if (storage == FeatureStorage::None) cachedBlocks_ = 0;
    if (storage == FeatureStorage::Project) {
        if (!storeFeaturesInProject(trainSet, valSet, observer, stop)) return std::nullopt;
        return std::pair{trainSet, valSet};
    }
    LabeledTensors trainInputs = trainSet, valInputs = valSet;
    if (cachedBlocks_ > 0) {
        const auto modelInput = [this](const torch::Tensor& images) { return toDevice(images); };
        FeatureCache ownCache;
        FeatureCache& cache = sharedCache_ ? *sharedCache_ : ownCache;
        observer.onLog("Computing the frozen blocks' features once (" + blocks_.front().name + " to " +
                       blocks_[cachedBlocks_ - 1].name + ")");
        auto trainFeatures = augmenting ? augmentedViewFeatures(trainSet.size(), observer, stop)
                             : encoded_ ? encodedFeatures(*encoded_, AugmentSpec{},
                                                          plainPlan(torch::arange(trainSet.size(), torch::kLong), 0), stop)
                                        : cache.features(*model_, blocks_, cachedBlocks_, trainSet.images, trainImagesKey_,
                                                         config_.batchSize, device_, stop, modelInput);
        auto valFeatures = valSet.size() == 0 ? std::optional<torch::Tensor>(valSet.images)
                           : valEncoded_      ? encodedFeatures(*valEncoded_, AugmentSpec{}, validationPlan(), stop)
                                              : cache.features(*model_, blocks_, cachedBlocks_, valSet.images, valImagesKey_,
                                                               config_.batchSize, device_, stop, modelInput);
        if (!trainFeatures || !valFeatures) return std::nullopt;
        if (!augmenting) trainInputs.images = *trainFeatures;
        valInputs.images = *valFeatures;
    }
    // Page-locked host memory lets the copies to the GPU overlap computation.
    if (onCuda() && trainInputs.images.defined() && trainInputs.images.is_cpu())
        trainInputs.images = trainInputs.images.pin_memory();
    return std::pair{trainInputs, valInputs};
}

torch::Tensor Trainer::alignmentTerm(const torch::Tensor& features, std::int64_t labelled, double progress) {
    if (config_.domainAdaptation == "coral") return coralLoss(features.slice(0, 0, labelled), features.slice(0, labelled));
    const auto domainLogits = domainClassifier_->forward(reverseGradient(features, gradientReversalWeight(progress)));
    return domainClassificationLoss(domainLogits.slice(0, 0, labelled), domainLogits.slice(0, labelled));
}

Trainer::StepResult Trainer::step(const torch::Tensor& inputs, const torch::Tensor& labels, double factor, double progress,
                                  std::int64_t globalBatch, bool stopWanted) {
    auto& groups = optimizer_->param_groups();
    for (std::size_t g = 0; g < groups.size(); ++g) groups[g].options().set_lr(groupBaseRates_[g] * factor);
    optimizer_->zero_grad();
    const auto labelled = labels.size(0);
    // Data parallel, a batch smaller than the group can leave this rank nothing.
    StepResult result = labelled > 0 ? lossAndGradients(inputs, labels, progress, globalBatch) : StepResult{};
    if (group_) shareStep(groups, result, labelled, globalBatch, stopWanted);
    bool stepped = true;
    if (!scaler_) {
        optimizer_->step();
    } else {
        std::vector<torch::Tensor> parameters;
        for (const auto& group : groups) parameters.insert(parameters.end(), group.params().begin(), group.params().end());
        stepped = scaler_->unscale(parameters);
        if (stepped) optimizer_->step(); // else an overflow: skip, with a smaller scale
    }
    if (stepped && config_.emaDecay > 0) updateAveragedWeights();
    return result;
}

Trainer::StepResult Trainer::lossAndGradients(const torch::Tensor& inputs, const torch::Tensor& labels, double progress,
                                              std::int64_t globalBatch) {
    StepResult result;
    const auto labelled = labels.size(0);
    torch::Tensor logits, features;
    {
        AutocastScope autocast(scaler_.has_value());
        if (alignsFeatures()) {
            auto x = inputs; // no cached prefix: the target batch runs through every block
            for (std::size_t i = 0; i + 1 < blocks_.size(); ++i) x = blocks_[i].forward(x);
            features = x.flatten(1).to(torch::kFloat32);
            logits = blocks_.back().forward(x).to(torch::kFloat32);
        } else {
            logits = forwardFrom(cachedBlocks_, inputs).to(torch::kFloat32);
        }
    }
    result.logits = logits.slice(0, 0, labelled);
    result.loss = taskLoss_ ? taskLoss_->forward(result.logits, labels).total
                            : torch::nn::functional::cross_entropy(result.logits, labels);
    // CORAL needs two rows of each domain; a last labelled batch of one image trains without it.
    if (features.defined() && labelled >= 2) {
        const auto term = alignmentTerm(features, labelled, progress);
        result.loss = result.loss + config_.adaptationWeight * term;
        result.adaptationLoss = term.item<double>();
    } else if (logits.size(0) > labelled) {
        const auto unlabelled = (logits.size(0) - labelled) / 2;
        const auto term = fixMatchUnlabelledLoss(logits.slice(0, labelled, labelled + unlabelled),
                                                 logits.slice(0, labelled + unlabelled), config_.confidenceThreshold);
        result.loss = result.loss + config_.unlabelledWeight * term.loss;
        result.unlabelledKept = term.mask.sum().item<double>();
        result.unlabelledImages = unlabelled;
    }
    // A rank's share weighs its mean loss by its images, so the ranks' summed gradients are the
    // whole batch's mean loss's.
    const auto minimised = group_ ? result.loss * (double(labelled) / double(globalBatch)) : result.loss;
    if (scaler_) scaler_->scale(minimised).backward();
    else minimised.backward();
    result.lossValue = result.loss.item<double>();
    result.correct = correctPredictions(result.logits, labels);
    return result;
}

std::pair<std::int64_t, std::int64_t> Trainer::shareOf(std::int64_t images) const {
    if (!group_) return {0, images};
    const std::int64_t rank = group_->rank(), ranks = group_->worldSize();
    return {images * rank / ranks, images * (rank + 1) / ranks};
}

void Trainer::shareStep(std::vector<torch::optim::OptimizerParamGroup>& groups, StepResult& result, std::int64_t labelled,
                        std::int64_t globalBatch, bool stopWanted) {
    std::vector<torch::Tensor> shared;
    for (auto& group : groups)
        for (auto& parameter : group.params()) {
            if (!parameter.grad().defined()) parameter.mutable_grad() = torch::zeros_like(parameter);
            shared.push_back(parameter.grad());
        }
    shared.push_back(torch::tensor({result.lossValue * double(labelled), double(result.correct), stopWanted ? 1.0 : 0.0},
                                   torch::kFloat64));
    group_->sum(shared);
    const auto figures = shared.back();
    result.lossValue = figures[0].item<double>() / double(globalBatch);
    result.correct = std::llround(figures[1].item<double>());
    result.stopRequested = figures[2].item<double>() > 0;
}

void Trainer::takeLeadersTensors(bool parametersToo) {
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> tensors;
    if (parametersToo)
        for (const auto& parameter : model_->parameters()) tensors.push_back(parameter);
    for (const auto& buffer : model_->buffers()) tensors.push_back(buffer);
    group_->broadcast(tensors);
}

void Trainer::checkDataParallelSupport() const {
    const auto refuse = [](const std::string& what) {
        throw Error(what + " cannot train data parallel yet; train it in one process");
    };
    if (config_.learnsFromUnlabelled()) refuse("a semi-supervised run");
    if (config_.adaptsToDomain()) refuse("a domain-adapting run");
    if (taskLoss_) refuse("a multi-task run");
}

TrainingProgress Trainer::restore(const TrainingState& state, at::Generator& shuffler, std::int64_t images) {
    const auto& progress = state.progress;
    if (progress.position > 0 && (!progress.order.defined() || progress.order.size(0) != images))
        throw Error("the checkpoint was taken on " + std::to_string(progress.order.defined() ? progress.order.size(0) : 0) +
                    " training images, but the run now has " + std::to_string(images) +
                    "; the project's training images changed since, so the run cannot continue exactly");
    // The optimizer gains groups as blocks unfreeze: rebuild them as they were, then load.
    for (int epoch = 1; epoch <= std::max(1, progress.preparedEpoch); ++epoch) prepareEpoch(epoch);
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(state.optimizer.data(), state.optimizer.size(), device_);
        optimizer_->load(archive);
    } catch (const c10::Error& error) {
        throw Error(std::string("the checkpoint's optimizer state does not fit this run's optimizer (") +
                    error.what_without_backtrace() + ")");
    }
    shuffler.set_state(state.shufflerState);
    auto defaultGenerator = at::detail::getDefaultCPUGenerator();
    std::lock_guard lock(defaultGenerator.mutex());
    defaultGenerator.set_state(state.defaultGeneratorState);
    if (scaler_ && progress.lossScale > 0) scaler_->restore(progress.lossScale, progress.stepsSinceScaleChange);
    if (domainClassifier_) {
        torch::NoGradGuard noGrad;
        auto tensors = domainClassifier_->parameters();
        const auto buffers = domainClassifier_->buffers();
        tensors.insert(tensors.end(), buffers.begin(), buffers.end());
        if (state.domainClassifier.size() != tensors.size())
            throw Error("the checkpoint holds no domain classifier for this run's DANN adaptation");
        for (std::size_t i = 0; i < tensors.size(); ++i) tensors[i].copy_(state.domainClassifier[i]);
    }
    if (taskLoss_ && !taskLoss_->parameters().empty()) {
        if (!state.taskLogVariances.defined())
            throw Error("the checkpoint holds no task weights for this run's uncertainty weighting");
        torch::NoGradGuard noGrad;
        taskLoss_->parameters().front().copy_(state.taskLogVariances);
    }
    if (config_.emaDecay > 0) {
        if (state.averagedWeights.size() != averagedWeights_.size())
            throw Error("the checkpoint holds no average of the weights for this run's weight averaging (emaDecay)");
        for (std::size_t i = 0; i < averagedWeights_.size(); ++i) averagedWeights_[i].copy_(state.averagedWeights[i]);
    }
    return progress;
}

Trainer::CheckpointBytes Trainer::checkpointWeights(std::int64_t step) {
    {
        torch::NoGradGuard noGrad;
        for (const auto& tensors : {model_->parameters(), model_->buffers()})
            for (const auto& tensor : tensors)
                if (tensor.is_floating_point() && !torch::isfinite(tensor).all().item<bool>())
                    throw Error("training diverged: the weights became NaN or infinite by step " + std::to_string(step) +
                                "; try a lower learning rate");
    }
    if (frozen_.empty() || averagedInModel_) return {serializeWeights(*model_), nullptr};
    if (!frozenPart_ || frozenPartBlocks_ != frozen_) {
        frozenPart_ = frozenWeights(*model_, blocks_, frozen_);
        frozenPartBlocks_ = frozen_;
    }
    return {unfrozenWeights(*model_, blocks_, frozen_), &*frozenPart_};
}

std::vector<std::uint8_t> Trainer::trainingState(const TrainingProgress& progress, at::Generator& shuffler) {
    TrainingState state;
    state.progress = progress;
    if (scaler_) {
        state.progress.lossScale = scaler_->currentScale();
        state.progress.stepsSinceScaleChange = scaler_->stepsSinceChange();
    }
    torch::serialize::OutputArchive archive;
    optimizer_->save(archive);
    std::ostringstream optimizerBytes;
    archive.save_to(optimizerBytes);
    state.optimizer = optimizerBytes.str();
    state.shufflerState = shuffler.get_state();
    for (const auto& average : averagedWeights_) state.averagedWeights.push_back(average.to(torch::kCPU));
    if (taskLoss_ && !taskLoss_->parameters().empty()) state.taskLogVariances = taskLoss_->parameters().front().detach().to(torch::kCPU);
    if (domainClassifier_) {
        for (const auto& parameter : domainClassifier_->parameters()) state.domainClassifier.push_back(parameter.detach().to(torch::kCPU));
        for (const auto& buffer : domainClassifier_->buffers()) state.domainClassifier.push_back(buffer.to(torch::kCPU));
    }
    auto defaultGenerator = at::detail::getDefaultCPUGenerator();
    {
        std::lock_guard lock(defaultGenerator.mutex());
        state.defaultGeneratorState = defaultGenerator.get_state();
    }
    return state.toBytes();
}

TrainOutcome Trainer::train(const LabeledTensors& trainSet, const LabeledTensors& valSet, TrainObserver& observer,
                            std::stop_token stop) {
    const bool augmenting = augment_.enabled();
    if (augmenting && !encoded_) throw Error("augmented training needs the encoded training images (trainFromEncoded)");
    if (config_.learnsFromUnlabelled() && (!unlabelled_ || unlabelled_->size() == 0))
        throw Error("semi-supervised training needs unlabelled images (learnFromUnlabelled)");
    if (config_.adaptsToDomain() && (!unlabelled_ || unlabelled_->size() == 0))
        throw Error("domain adaptation needs the target domain's images (learnFromUnlabelled)");
    if (group_) checkDataParallelSupport();
    // Data parallel, the ranks agree on when to stop (after a step) instead of each stopping alone.
    const std::stop_token phaseStop = group_ ? std::stop_token() : stop;
    placeModel();
    if (group_) takeLeadersTensors(true);
    if (config_.domainAdaptation == "dann") createDomainClassifier();
    averagedWeights_.clear();
    averagedInModel_ = false;
    frozenPart_.reset(); // the model may hold other weights than in an earlier train()
    if (config_.emaDecay > 0)
        for (const auto& parameter : model_->parameters()) averagedWeights_.push_back(parameter.detach().clone());
    if (onCuda() && config_.mixedPrecision) scaler_.emplace();
    // A private generator keeps the batch order a function of the seed alone.
    auto shuffler = at::make_generator<at::CPUGeneratorImpl>(config_.seed);
    const std::int64_t imageCount = trainSet.size(), batch = config_.batchSize;
    const std::int64_t stepsPerEpoch = (imageCount + batch - 1) / batch;
    // A multi-task epoch's accuracy is over every label it sees: an image has one per task it is labelled in.
    const std::int64_t labelsPerEpoch = taskLoss_ ? trainSet.labels.ne(kNoLabel).sum().item<std::int64_t>() : imageCount;
    const LearningRateSchedule schedule = scheduleFor(stepsPerEpoch);
    TrainingProgress progress = resumeState_ ? restore(*resumeState_, shuffler, imageCount) : TrainingProgress{};
    resumeState_.reset();

    TrainOutcome outcome;
    outcome.steps = progress.steps;
    outcome.epochsCompleted = progress.epoch - 1;
    auto inputs = trainableInputs(trainSet, valSet, observer, phaseStop);
    if (!inputs) {
        outcome.status = TrainStatus::Cancelled;
        return outcome;
    }
    const auto& [trainInputs, valInputs] = *inputs;
    const auto checkpointInterval = std::chrono::duration<double>(config_.checkpointMinutes * 60.0);
    auto lastCheckpoint = std::chrono::steady_clock::now();
    std::int64_t checkpointedSteps = progress.steps; // a resumed run starts at its checkpoint
    // A stop is a pause: the steps since the last checkpoint are kept (mid-epoch, or with the
    // epoch's batches done but not yet validated), so a resume goes on from there instead of
    // repeating them.
    const auto saveLast = [&](int epoch) {
        const auto weights = checkpointWeights(progress.steps);
        observer.onCheckpoint({CheckpointKind::Last, epoch, progress.steps, weights.weights, trainingState(progress, shuffler),
                               weights.frozen});
    };
    const auto pause = [&](int epoch) {
        if (config_.checkpointMinutes >= 0 && progress.steps > checkpointedSteps)
            saveLast(epoch - 1);
        outcome.status = TrainStatus::Cancelled;
        return outcome;
    };

    bool stopAgreed = false; // data parallel: some rank asked to stop
    while (progress.epoch <= config_.epochs) {
        const int epoch = progress.epoch;
        const auto started = std::chrono::steady_clock::now();
        prepareEpoch(epoch);
        progress.preparedEpoch = epoch;
        if (progress.position == 0) {
            progress.order = config_.classBalanced ? classBalancedOrder(trainSet.labels, shuffler)
                                                   : torch::randperm(imageCount, shuffler, torch::kLong);
            progress.lossSum = 0;
            progress.correct = 0;
            progress.unlabelledKept = 0;
            progress.unlabelledSeen = 0;
            progress.adaptationLossSum = 0;
        }
        std::unique_ptr<AugmentedBatches> augmented; // or, without augmentation, streamed
        if (decodesTrainingBatches())
            augmented = std::make_unique<AugmentedBatches>(
                *encoded_, preprocess_, augment_,
                augmenting ? epochPlan(progress.order, progress.position, config_.batchSize, augmentationSeed(config_.seed, epoch))
                           : plainPlan(progress.order, progress.position),
                loaderThreads(config_), kBatchesAhead, onCuda());
        std::unique_ptr<AugmentedBatches> unlabelled;
        if (unlabelled_ && (config_.learnsFromUnlabelled() || alignsFeatures()))
            unlabelled = std::make_unique<AugmentedBatches>(*unlabelled_, preprocess_, augment_,
                                                            unlabelledPlan(epoch, stepsPerEpoch, progress.position / batch),
                                                            loaderThreads(config_), kBatchesAhead, onCuda());
        const torch::Tensor& trainImages =
            viewFeatures_.empty() ? trainInputs.images : viewFeatures_[std::size_t(epoch - 1) % viewFeatures_.size()];
        while (progress.position < imageCount) {
            if (group_ ? stopAgreed : stop.stop_requested()) return pause(epoch);
            if (config_.maxSteps > 0 && progress.steps >= config_.maxSteps) {
                // A run cut short by its step limit still leaves weights to evaluate. Data parallel,
                // every rank recalibrates together: each one's clock decided its own checkpoints.
                if ((group_ || checkpointedSteps != progress.steps) && recalibrateBatchNorm(trainImages, imageCount, phaseStop)) {
                    if (group_) takeLeadersTensors(false);
                    saveLast(epoch - 1);
                }
                return outcome;
            }
            const auto end = std::min(progress.position + batch, imageCount);
            const auto [shareBegin, shareEnd] = shareOf(end - progress.position);
            const auto indices = progress.order.slice(0, progress.position + shareBegin, progress.position + shareEnd);
            const auto images = augmented        ? augmented->next().slice(0, shareBegin, shareEnd)
                                : storedFeatures_ ? storedFeatures_->rows(trainFeatureKey_, indices)
                                                  : trainImages.index_select(0, indices);
            const auto labels = trainSet.labels.index_select(0, indices).to(device_);
            const double factor = schedule.factor(progress.steps + 1);
            const auto result = step(toDevice(unlabelled ? torch::cat({images, unlabelled->next()}) : images), labels, factor,
                                     double(progress.steps) / double(std::max<std::int64_t>(1, schedule.totalSteps)),
                                     end - progress.position, stop.stop_requested());
            stopAgreed = result.stopRequested;

            const double lossValue = result.lossValue;
            outcome.steps = ++progress.steps;
            if (!std::isfinite(lossValue))
                throw Error("training diverged: the loss became " + std::to_string(lossValue) + " at step " +
                            std::to_string(progress.steps) + "; try a lower learning rate");
            progress.lossSum += lossValue * double(end - progress.position);
            progress.correct += result.correct;
            progress.unlabelledKept += result.unlabelledKept;
            progress.unlabelledSeen += result.unlabelledImages;
            progress.adaptationLossSum += result.adaptationLoss;
            progress.position = end;
            observer.onStep({progress.steps, epoch, stepsPerEpoch, lossValue, config_.learningRate * factor});
            if (progress.position < imageCount && config_.checkpointMinutes >= 0 &&
                std::chrono::steady_clock::now() - lastCheckpoint >= checkpointInterval) {
                saveLast(epoch - 1);
                lastCheckpoint = std::chrono::steady_clock::now();
                checkpointedSteps = progress.steps;
            }
        }

        if (stopAgreed) return pause(epoch);

        // Validation, the best checkpoint and a finished run's weights are the average's, where
        // there is one; the last checkpoint keeps the trained weights, which a resume goes on from.
        if (!averagedWeights_.empty()) swapAveragedWeights();
        const auto trainedWeightsBack = [&] {
            if (!averagedWeights_.empty()) swapAveragedWeights();
        };
        const auto secondsSince = [](std::chrono::steady_clock::time_point begun) {
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - begun).count();
        };
        const auto recalibrationStarted = std::chrono::steady_clock::now();
        if (!recalibrateBatchNorm(trainImages, imageCount, phaseStop)) {
            trainedWeightsBack();
            return pause(epoch);
        }
        if (group_) takeLeadersTensors(false);
        const double recalibrationSeconds = secondsSince(recalibrationStarted);

        EpochEvent event;
        event.epoch = epoch;
        event.epochs = config_.epochs;
        event.step = progress.steps;
        event.trainLoss = progress.lossSum / double(imageCount);
        event.trainAccuracy = double(progress.correct) / double(labelsPerEpoch);
        event.dataWaitSeconds = (augmented ? augmented->waitedSeconds() : 0.0) + (unlabelled ? unlabelled->waitedSeconds() : 0.0);
        event.recalibrationSeconds = recalibrationSeconds;
        if (progress.unlabelledSeen > 0) event.unlabelledKeptShare = progress.unlabelledKept / double(progress.unlabelledSeen);
        if (alignsFeatures()) event.adaptationLoss = progress.adaptationLossSum / double(stepsPerEpoch);
        if (valSet.size() > 0 && (!group_ || group_->leads())) {
            const auto validationStarted = std::chrono::steady_clock::now();
            model_->eval();
            std::unique_ptr<AugmentedBatches> streamed; // evaluateRanges asks for the batches in order
            if (valEncoded_ && cachedBlocks_ == 0)
                streamed = std::make_unique<AugmentedBatches>(*valEncoded_, preprocess_, AugmentSpec{}, validationPlan(),
                                                              loaderThreads(config_), kBatchesAhead, onCuda());
            const auto inputsOf = [&](std::int64_t begin, std::int64_t end) {
                return streamed         ? streamed->next()
                       : storedFeatures_ ? storedFeatures_->rows(valFeatureKey_, torch::arange(begin, end, torch::kLong))
                                         : valInputs.images.slice(0, begin, end);
            };
            const auto logitsOf = [&](std::int64_t begin, std::int64_t end) {
                return forwardFrom(cachedBlocks_, toDevice(inputsOf(begin, end)));
            };
            bool complete = true;
            if (taskLoss_) {
                const auto validation =
                    evaluateTaskRanges(logitsOf, valSet.labels, taskLoss_->columns(), config_.batchSize, device_, phaseStop);
                complete = validation.complete;
                event.valLoss = validation.meanLoss();
                event.valAccuracy = validation.meanAccuracy();
                const auto weights = taskLoss_->weights();
                for (std::size_t task = 0; task < tasks_.size(); ++task)
                    event.tasks.push_back({tasks_[task].name, validation.loss[task], validation.accuracy[task], weights[task]});
            } else {
                const auto validation = evaluateRanges(logitsOf, valSet.labels, config_.batchSize, device_, phaseStop);
                complete = validation.complete;
                event.valLoss = validation.loss;
                event.valAccuracy = validation.accuracy;
            }
            if (!complete) {
                trainedWeightsBack();
                return pause(epoch);
            }
            event.validated = true;
            event.validationSeconds = secondsSince(validationStarted);
        }
        std::optional<std::vector<std::uint8_t>> adaptedWeights; // AdaBN: what the best checkpoint holds
        if (config_.domainAdaptation == "adabn") {
            adaptedWeights = targetAdaptedWeights(phaseStop);
            if (!adaptedWeights) {
                trainedWeightsBack();
                return pause(epoch);
            }
        }
        event.seconds = secondsSince(started);
        observer.onEpoch(event);
        outcome.epochsCompleted = epoch;
        outcome.lastEpoch = event;

        // One serialisation serves both checkpoints of the epoch.
        const auto weights = checkpointWeights(progress.steps);
        const CheckpointBytes adapted{adaptedWeights ? std::move(*adaptedWeights) : std::vector<std::uint8_t>(), nullptr};
        const auto& best = adaptedWeights ? adapted : weights;
        bool stopEarly = false;
        if (event.validated) {
            const double score = config_.earlyStopMetric == "val_accuracy" ? event.valAccuracy : -event.valLoss;
            constexpr double kMinimumGain = 1e-4;
            if (score > progress.bestScore + kMinimumGain) {
                progress.bestScore = score;
                progress.epochsWithoutGain = 0;
                observer.onCheckpoint({CheckpointKind::Best, epoch, progress.steps, best.weights, {}, best.frozen});
            } else {
                stopEarly = config_.earlyStopPatience > 0 && ++progress.epochsWithoutGain >= config_.earlyStopPatience;
            }
        } else if (!averagedWeights_.empty() || adaptedWeights) {
            observer.onCheckpoint({CheckpointKind::Best, epoch, progress.steps, best.weights, {}, best.frozen}); // what evaluation reads
        }
        if (group_) { // rank 0 alone validated
            std::vector<torch::Tensor> decision{torch::tensor({stopEarly ? 1 : 0}, torch::kInt32)};
            group_->broadcast(decision);
            stopEarly = decision.front().item<int>() != 0;
        }
        // What a resumed run starts the next epoch from.
        progress.epoch = epoch + 1;
        progress.position = 0;
        progress.order = torch::Tensor();
        if (averagedWeights_.empty()) {
            observer.onCheckpoint({CheckpointKind::Last, epoch, progress.steps, weights.weights, trainingState(progress, shuffler),
                                   weights.frozen});
        } else {
            trainedWeightsBack();
            saveLast(epoch);
        }
        lastCheckpoint = std::chrono::steady_clock::now();
        checkpointedSteps = progress.steps;
        if (stopEarly) {
            observer.onLog("Stopping early: " + config_.earlyStopMetric + " has not improved for " +
                           std::to_string(progress.epochsWithoutGain) + " epoch(s)");
            outcome.stoppedEarly = true;
            break;
        }
    }
    if (!averagedWeights_.empty()) swapAveragedWeights(); // a finished run ends on the average
    return outcome;
}

} // namespace graft
