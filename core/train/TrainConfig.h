#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace graft {

// Input sizes a run may ask for: the smallest still leaves every architecture's last stage a pixel.
inline constexpr int kSmallestInputSize = 32;
inline constexpr int kLargestInputSize = 1024;

// "lab,field" -> {"lab", "field"} (domains, tasks); empty items are dropped.
std::vector<std::string> nameList(const std::string& commaSeparated);

struct TrainConfig {
    std::string arch = "tinynet";
    std::string init = "scratch"; // "scratch", or a weights file to start from
    bool newHead = false;          // with a weights file: a fresh classifier head (another task's classes)
    int epochs = 5;
    std::int64_t minImagesSeen = 0; // more epochs when fewer would show the model fewer images (small label budgets)
    int batchSize = 64;
    std::string optimizer = "adam"; // adam (AdamW) | sgd
    double learningRate = 3e-3;
    std::string schedule = "cosine"; // constant | step | cosine | onecycle | exponential (LearningRateSchedule)
    double finalLearningRate = 0;    // exponential only: the rate at the last step (the LR finder's sweep)
    std::int64_t maxSteps = 0;       // stop after this many steps; 0: run every epoch
    double warmupEpochs = 0;         // linear warm-up, in (fractions of) epochs
    int stepEpochs = 0;              // step schedule: epochs between decays; 0: a third of the run
    double stepGamma = 0.1;
    double momentum = 0.9;          // sgd only
    bool nesterov = false;          // sgd only
    double weightDecay = 0.0;       // never applied to biases and normalisation parameters
    std::string freeze = "none";    // FreezePlan text
    std::string lrMultipliers;      // per-block multipliers (learningRateMultipliers)
    bool classBalanced = false;     // sample every class equally often (ClassBalancedSampling)
    std::string augment = "none";   // AugmentSpec text; turns the feature cache off, unless...
    int augmentedViews = 0;         // ...this many augmented views are cached and cycled through
    int loaderThreads = 0;          // threads decoding augmented batches; 0: half the cores (1 to 8)
    int earlyStopPatience = 0;      // stop after this many validated epochs without improvement; 0: never
    std::string earlyStopMetric = "val_loss"; // val_loss | val_accuracy; also picks the best checkpoint
    double checkpointMinutes = 5;   // also checkpoint within an epoch this often; 0: every step; < 0: epoch ends only
    bool featureCache = true;       // compute a frozen prefix once (FeatureCache) when the plan allows
    std::int64_t featureCacheBudgetBytes = std::int64_t(2) << 30; // larger features are not cached
    // Training and validation images whose decoded tensors would take more stay encoded and are
    // decoded batch by batch (the same numbers, in bounded memory).
    std::int64_t inputMemoryBudgetBytes = std::int64_t(2) << 30;
    std::uint64_t seed = 0;
    int labelsPerClass = 0;         // 0: every training image
    std::string device = "auto";    // auto | cpu | cuda | cuda:N
    bool mixedPrecision = true;     // CUDA only: float16 autocast with loss scaling
    bool channelsLast = true;       // NHWC memory layout for convolutions (ChannelsLast)
    bool recalibrateBatchNorm = true; // fresh BatchNorm statistics before validating (BatchNormRecalibration)
    int inputSize = 0;              // crop in pixels (resize scaled to match); 0: the architecture's own
    // Semi-supervised training (FixMatch): every step also learns from unlabelledRatio x batchSize
    // images of the unlabelled pool, through pseudo-labels of a weak view above confidenceThreshold,
    // against a strong view, weighted by unlabelledWeight.
    std::string semiSupervised = "none"; // none | fixmatch
    int unlabelledRatio = 7;             // FixMatch's mu
    double confidenceThreshold = 0.95;   // FixMatch's tau
    double unlabelledWeight = 1.0;       // FixMatch's lambda_u
    std::string unlabelledPool = "unlabelled"; // unlabelled | beyond-budget (also the training labels labelsPerClass leaves out)
    double emaDecay = 0;                 // > 0: validate, pick the best and finish with an average of the weights (0.999 in FixMatch)
    // Domain adaptation: labelled training and validation images come from trainingDomains, and
    // targetDomain's training and unlabelled images, labels unread, are the target pool.
    std::string trainingDomains;           // comma-separated; empty: every domain (adapting: every one but the target)
    std::string targetDomain;              // the domain the model is for: held-out figures use its test images
    std::string domainAdaptation = "none"; // none | adabn | coral | dann
    double adaptationWeight = 1.0;         // CORAL's and DANN's loss weight (DANN's lambda ramps up under it)
    // Tasks (label sets) the run learns, comma-separated; empty: the first task. One name: an
    // ordinary run on that task's labels. Several: a shared backbone with a head per task
    // (MultiTaskLoss), their losses weighted by taskWeights: "equal", "uncertainty" (learnt,
    // Kendall et al. 2018) or a number per task ("1,0.5").
    std::string tasks;
    std::string taskWeights = "equal";

    // `epochs`, or enough more to show the model `minImagesSeen` images from a set this large.
    bool learnsFromUnlabelled() const { return semiSupervised != "none"; }
    bool adaptsToDomain() const { return domainAdaptation != "none"; }
    bool multiTask() const { return nameList(tasks).size() > 1; }
    // taskWeights' fixed weights for `count` tasks; none with uncertainty weighting. Throws on a
    // malformed list.
    std::optional<std::vector<double>> fixedTaskWeights(std::size_t count) const;
    int epochsFor(std::int64_t trainImages) const;

    std::string toJson() const;
    // Throws naming the bad field; fields absent from the JSON keep their defaults.
    static TrainConfig fromJson(const std::string& json);
    // Throws with a message a person can act on.
    void validate() const;
};


} // namespace graft
