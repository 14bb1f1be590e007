#pragma once

#include "data/AugmentSpec.h"
#include "data/AugmentedBatches.h"
#include "data/Preprocess.h"
#include "data/TensorDataset.h"
#include "domain/DomainClassifier.h"
#include "models/Classifier.h"
#include "train/FeatureCache.h"
#include "train/DataParallelGroup.h"
#include "train/FreezePlan.h"
#include "train/ProjectFeatureStore.h"
#include "train/TaskHead.h"
#include "train/GradScaler.h"
#include "train/LearningRateSchedule.h"
#include "train/MultiTaskLoss.h"
#include "train/ParameterGroups.h"
#include "train/TrainConfig.h"
#include "train/TrainObserver.h"
#include "train/TrainingState.h"

#include <torch/optim/optimizer.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stop_token>

namespace graft {

enum class TrainStatus { Finished, Cancelled };

struct TrainOutcome {
    TrainStatus status = TrainStatus::Finished;
    int epochsCompleted = 0;
    std::int64_t steps = 0;
    EpochEvent lastEpoch; // valid when an epoch completed in this call
    bool stoppedEarly = false; // the validation metric stopped improving (config.earlyStopPatience)
};

// Supervised training of a classifier. Polls the stop token before every batch, so a stop
// request ends training within one batch. Frozen blocks (config.freeze) have requires_grad off,
// are absent from the optimizer and keep BatchNorm in eval mode; each trainable block has its
// own learning rate (config.lrMultipliers). Reports a "last" checkpoint with the full training
// state after every epoch (and within long epochs, config.checkpointMinutes), and a "best" one
// whenever the validation metric improves. Before each epoch's validation and checkpoints the
// trainable BatchNorm layers get statistics of the whole training set (recalibrateBatchNorm).
class Trainer {
public:
    // Throws graft::Error when the freeze plan or multipliers name blocks the model lacks.
    Trainer(std::shared_ptr<ClassifierImpl> model, TrainConfig config, torch::Device device);

    // The training images, encoded, aligned with the training labels; train()'s trainSet.images is
    // then unused. With augmentation (config.augment) every epoch decodes and augments them anew,
    // in parallel; without, each batch is decoded as it is needed and preprocessed exactly as
    // in-memory tensors are (inputs over the memory budget), or a frozen prefix's features are
    // computed from them once.
    void trainFromEncoded(const ImageBytesSource& encoded, const PreprocessSpec& preprocess);
    // train()'s training and validation images are uint8 pixels (pixelsForEval), normalised batch
    // by batch as they reach the model: a quarter of the memory of their floats, the same numbers.
    void normalisePixelsWith(const PreprocessSpec& preprocess) { pixelNormalisation_ = preprocess; }
    // The validation images, encoded and aligned with the validation labels, decoded batch by
    // batch like streamed training images; train()'s valSet.images is then unused.
    void validateFromEncoded(const ImageBytesSource& encoded) { valEncoded_ = &encoded; }
    // config.semiSupervised: the unlabelled pool, encoded. Each step draws unlabelledRatio x
    // batchSize of them from a seeded order that depends on the step alone (so a resume needs no
    // extra position), each as a weak view (config.augment) and a strong one (StrongAugmentation).
    // config.domainAdaptation: the target domain's images. CORAL and DANN draw batchSize of them
    // per step the same way (config.augment only) and align the features the head reads; AdaBN
    // gives the best checkpoints BatchNorm statistics of them (every layer, frozen ones too),
    // while validation and the last checkpoint keep the training images' statistics.
    void learnFromUnlabelled(const ImageBytesSource& pool, const PreprocessSpec& preprocess);
    // A multi-task run: the model's outputs are these heads one after another, train()'s labels
    // N x tasks (kNoLabel where an image has none), and the loss MultiTaskLoss's, weighted as
    // config.taskWeights says; uncertainty weighting's variances train with the model (their own
    // optimizer group, in the training state). Epochs report each task's validation figures, and
    // the tasks' mean picks the best checkpoint.
    void learnTasks(std::vector<TaskHead> tasks);
    // Data parallel: this process is one rank of `group`, and the ranks train the run together.
    // Each step a rank takes its share of the global batch (config.batchSize) and the ranks'
    // gradients are summed, so a step equals one process's on the whole batch, BatchNorm aside:
    // each rank normalises its share with the share's statistics, and the recalibrated running
    // statistics are rank 0's. Rank 0's weights are every rank's at the start; rank 0 alone
    // validates and decides early stopping, and its observer's checkpoints are the run's. A stop
    // request on any rank stops them all after the same step. Semi-supervised, domain-adapting
    // and multi-task runs are refused.
    void trainDataParallel(DataParallelGroup& group) {
        group_ = &group;
        checkDataParallelSupport();
    }
    // The next train() continues from this state; the model must already hold the same
    // checkpoint's weights.
    void resumeFrom(TrainingState state) { resumeState_ = std::move(state); }

    // Throws graft::Error when the loss stops being finite or a resumed state does not fit.
    TrainOutcome train(const LabeledTensors& trainSet, const LabeledTensors& valSet, TrainObserver& observer,
                       std::stop_token stop);

    // Frozen-prefix features over the memory budget (config.featureCacheBudgetBytes) go to this
    // project instead of being recomputed every epoch, and later runs find them there.
    void storeLargeFeaturesIn(const std::filesystem::path& project) { featureProject_ = project; }
    // Keys that name the training and validation tensors train() gets (TrainingInputs' image keys),
    // so the feature cache need not hash their bytes. Empty: hash them.
    void identifyInputs(std::string trainImagesKey, std::string valImagesKey) {
        trainImagesKey_ = std::move(trainImagesKey);
        valImagesKey_ = std::move(valImagesKey);
    }
    // Shares a cache between trainers (runs of an experiment); without one, each run has its own.
    void useFeatureCache(FeatureCache& cache) { sharedCache_ = &cache; }
    // Blocks run once per input by the feature cache in the last train() (0: no caching).
    std::size_t cachedBlocks() const { return cachedBlocks_; }

    // Elements of the parameters the optimizer updates (after train(): at the end of the run).
    std::int64_t optimizedParameters() const;

private:
    struct StepResult {
        torch::Tensor loss;
        torch::Tensor logits; // of the labelled images
        double unlabelledKept = 0; // semi-supervised: pseudo-labels above the threshold
        std::int64_t unlabelledImages = 0;
        double adaptationLoss = 0; // CORAL or DANN: the alignment term, unweighted
        double lossValue = 0;        // the loss's value; data parallel: the whole batch's mean
        std::int64_t correct = 0;    // of the labelled images; data parallel: the whole batch's
        bool stopRequested = false; // data parallel: some rank asked to stop
    };

    // Adds a decayed and an undecayed group for the block, at the base rate times its multiplier.
    void addParameterGroups(const BlockParameters& block, double multiplier);
    // Applies the freeze plan for `epoch`, giving newly unfrozen blocks their optimizer groups.
    void prepareEpoch(int epoch);
    // Leading blocks that are frozen or parameter-free, when the plan never changes them.
    std::size_t cacheablePrefix() const;
    // Size of one image's activations after the cached blocks.
    std::int64_t cachedFeatureBytesPerImage(const torch::Tensor& oneImage);
    // Logits from blocks [first, end) applied to x.
    torch::Tensor forwardFrom(std::size_t first, torch::Tensor x);

    LearningRateSchedule scheduleFor(std::int64_t stepsPerEpoch) const;
    bool onCuda() const { return device_.is_cuda(); }
    void placeModel();
    torch::Tensor toDevice(const torch::Tensor& images) const;
    // What the trainable part sees: the images, or the frozen prefix's features (computed once).
    // Empty when a stop request cut the computation short.
    std::optional<std::pair<LabeledTensors, LabeledTensors>> trainableInputs(const LabeledTensors& trainSet,
                                                                             const LabeledTensors& valSet,
                                                                             TrainObserver& observer,
                                                                             std::stop_token stop);
    // With config.augmentedViews: the frozen prefix's features of each view of every training
    // image (viewFeatures_). Empty when a stop request cut it short.
    std::optional<torch::Tensor> augmentedViewFeatures(std::int64_t images, TrainObserver& observer, std::stop_token stop);
    // The frozen prefix's features of every encoded image in order, decoded through `plan`'s
    // preprocessing. Empty when a stop request cut it short.
    std::optional<torch::Tensor> encodedFeatures(const ImageBytesSource& encoded, const AugmentSpec& augment,
                                                 BatchPlan plan, std::stop_token stop);
    // The training images come encoded and nothing holds their features: every epoch decodes
    // (and augments, or streams) them batch by batch.
    bool decodesTrainingBatches() const {
        return encoded_ && viewFeatures_.empty() && (augment_.enabled() || cachedBlocks_ == 0);
    }
    // `order`'s batches from `firstImage` on, preprocessed as in-memory tensors (streamed inputs).
    BatchPlan plainPlan(const torch::Tensor& order, std::int64_t firstImage) const;
    // The streamed validation images in their order.
    BatchPlan validationPlan() const;
    enum class FeatureStorage { None, Memory, Project };
    // Where the cached blocks' features go: memory within config.featureCacheBudgetBytes, the
    // project above it (when there is one, and they are not augmented views), or nowhere.
    FeatureStorage featureStorage(const LabeledTensors& trainSet, std::int64_t valImages, TrainObserver& observer);
    // Computes (or finds) the train and validation features in the project store. False when stopped.
    bool storeFeaturesInProject(const LabeledTensors& trainSet, const LabeledTensors& valSet, TrainObserver& observer,
                                std::stop_token stop);
    // With config.recalibrateBatchNorm: BatchNorm statistics of the trainable blocks re-estimated
    // from this epoch's training inputs, un-augmented, in a random order fixed by the seed. False
    // when a stop request cut it short.
    bool recalibrateBatchNorm(const torch::Tensor& trainInputs, std::int64_t images, std::stop_token stop);
    // The positions [begin, end) of that order whose batches this rank passes: all of them in one
    // process, a contiguous run of whole batches data parallel (possibly none).
    std::pair<std::int64_t, std::int64_t> recalibrationShare(std::int64_t images) const;
    // The cached blocks applied to a batch of inputs, in eval mode without autograd (BatchNorm
    // folded where prefixFunction can), on the CPU.
    torch::Tensor runCachedBlocks(const torch::Tensor& inputs);
    // `inputs` holds the labelled batch's `labels.size(0)` images, then (semi-supervised) the
    // unlabelled batch's weak views and its strong views, or (CORAL, DANN) the target batch: one
    // forward pass, as FixMatch's and DANN's. `progress` in [0, 1] ramps DANN's reversal weight.
    // Data parallel, `labels` are this rank's share of a global batch of `globalBatch` images (it
    // may be none), and `stopWanted` this rank's wish to stop.
    StepResult step(const torch::Tensor& inputs, const torch::Tensor& labels, double factor, double progress,
                    std::int64_t globalBatch, bool stopWanted);
    // The forward and backward passes of step(), on a share of at least one image.
    StepResult lossAndGradients(const torch::Tensor& inputs, const torch::Tensor& labels, double progress,
                                std::int64_t globalBatch);
    // Data parallel: the rows [begin, end) of a global batch of `images` that are this rank's.
    std::pair<std::int64_t, std::int64_t> shareOf(std::int64_t images) const;
    // Data parallel: sums the ranks' gradients and the step's figures into `result`.
    void shareStep(std::vector<torch::optim::OptimizerParamGroup>& groups, StepResult& result, std::int64_t labelled,
                   std::int64_t globalBatch, bool stopWanted);
    // Data parallel: rank 0's parameters and buffers (or buffers only) in every rank's model.
    void takeLeadersTensors(bool parametersToo);
    // Data parallel: throws graft::Error for what the ranks cannot share.
    void checkDataParallelSupport() const;
    // CORAL and DANN: the loss term that aligns the labelled (first `labelled` rows) and target
    // features.
    torch::Tensor alignmentTerm(const torch::Tensor& features, std::int64_t labelled, double progress);
    bool alignsFeatures() const { return config_.domainAdaptation == "coral" || config_.domainAdaptation == "dann"; }
    // DANN: a domain classifier as wide as the features the head reads, in the optimizer's groups.
    void createDomainClassifier();
    // Labels the logits get right: one per image, or (multi-task) one per task an image is labelled in.
    std::int64_t correctPredictions(const torch::Tensor& logits, const torch::Tensor& labels) const;
    // AdaBN: the model's weights with every BatchNorm layer's statistics taken from the target
    // images; the model keeps its own. Empty when a stop request cut it short.
    std::optional<std::vector<std::uint8_t>> targetAdaptedWeights(std::stop_token stop);
    // Un-augmented target images in a seeded order, for BatchNorm passes.
    std::unique_ptr<AugmentedBatches> plainTargetBatches() const;
    // The unlabelled images of epoch `epoch`'s steps from `firstBatch` on.
    BatchPlan unlabelledPlan(int epoch, std::int64_t stepsPerEpoch, std::int64_t firstBatch) const;
    // config.emaDecay: averagedWeights_ = decay * averagedWeights_ + (1 - decay) * parameters.
    void updateAveragedWeights();
    // Exchanges the model's parameters with their average (buffers stay: BatchNorm's statistics
    // are recalibrated for whichever weights are validated).
    void swapAveragedWeights();
    TrainingProgress restore(const TrainingState& state, at::Generator& shuffler, std::int64_t images);
    struct CheckpointBytes {
        std::vector<std::uint8_t> weights;
        const FrozenWeights* frozen = nullptr; // the frozen blocks' tensors, which `weights` leaves out
    };
    // The model's weights for a checkpoint, refused when not finite (NaN or infinite weights,
    // stored as the newest checkpoint, would make the last good one unreachable). With frozen
    // blocks, and the trained weights in the model (not their average, which drifts in the last
    // bits even where frozen), the frozen tensors go apart: serialised once per set of frozen
    // blocks, as they do not change while frozen.
    CheckpointBytes checkpointWeights(std::int64_t step);
    // The bytes of a "last" checkpoint's TrainingState at `progress`.
    std::vector<std::uint8_t> trainingState(const TrainingProgress& progress, at::Generator& shuffler);

    std::shared_ptr<ClassifierImpl> model_;
    TrainConfig config_;
    DataParallelGroup* group_ = nullptr;
    torch::Device device_;
    FreezePlan freezePlan_;
    AugmentSpec augment_;
    std::vector<NetworkBlock> blocks_;
    std::vector<BlockParameters> parameters_;
    std::map<std::string, double> multipliers_;
    std::set<std::string> frozen_;
    std::optional<FrozenWeights> frozenPart_; // of frozenPartBlocks_, for checkpoints
    std::set<std::string> frozenPartBlocks_;
    std::set<std::string> inOptimizer_;
    std::unique_ptr<torch::optim::Optimizer> optimizer_;
    std::vector<double> groupBaseRates_;
    std::optional<GradScaler> scaler_; // mixed precision on CUDA
    std::optional<PreprocessSpec> pixelNormalisation_;
    const ImageBytesSource* encoded_ = nullptr;
    const ImageBytesSource* valEncoded_ = nullptr;
    const ImageBytesSource* unlabelled_ = nullptr;
    std::vector<torch::Tensor> averagedWeights_;
    bool averagedInModel_ = false; // swapAveragedWeights put the average in the model
    DomainClassifier domainClassifier_{nullptr};
    bool domainClassifierInOptimizer_ = false;
    std::vector<TaskHead> tasks_;
    MultiTaskLoss taskLoss_{nullptr};
    bool taskWeightsInOptimizer_ = false;
    PreprocessSpec preprocess_;
    std::optional<TrainingState> resumeState_;
    std::vector<torch::Tensor> viewFeatures_;
    std::filesystem::path featureProject_;
    std::unique_ptr<ProjectFeatureStore> storedFeatures_;
    std::string trainFeatureKey_;
    std::string trainImagesKey_, valImagesKey_;
    std::string valFeatureKey_;
    FeatureCache* sharedCache_ = nullptr;
    std::size_t cachedBlocks_ = 0;
    std::function<torch::Tensor(torch::Tensor)> cachedPrefix_; // runCachedBlocks' prefixFunction, made once per train()
};

} // namespace graft
