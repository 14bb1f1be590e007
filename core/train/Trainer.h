#pragma once

#include "data/TensorDataset.h"
#include "models/Classifier.h"
#include "train/FeatureCache.h"
#include "train/FreezePlan.h"
#include "train/ParameterGroups.h"
#include "train/TrainConfig.h"
#include "train/TrainObserver.h"

#include <torch/optim/optimizer.h>

#include <map>
#include <memory>
#include <set>
#include <stop_token>

namespace graft {

enum class TrainStatus { Finished, Cancelled };

struct TrainOutcome {
    TrainStatus status = TrainStatus::Finished;
    int epochsCompleted = 0;
    std::int64_t steps = 0;
    EpochEvent lastEpoch; // valid when epochsCompleted > 0
    bool stoppedEarly = false; // the validation metric stopped improving (config.earlyStopPatience)
};

// Supervised training of a classifier on in-memory tensors. Polls the stop token before every
// batch, so a stop request ends training within one batch. Frozen blocks (config.freeze) have
// requires_grad off, are absent from the optimizer and keep BatchNorm in eval mode; each trainable
// block has its own learning rate (config.lrMultipliers).
class Trainer {
public:
    // Throws graft::Error when the freeze plan or multipliers name blocks the model lacks.
    Trainer(std::shared_ptr<ClassifierImpl> model, TrainConfig config, torch::Device device);

    // Throws graft::Error when the loss stops being finite.
    TrainOutcome train(const LabeledTensors& trainSet, const LabeledTensors& valSet, TrainObserver& observer,
                       std::stop_token stop);

    // Shares a cache between trainers (runs of an experiment); without one, each run has its own.
    void useFeatureCache(FeatureCache& cache) { sharedCache_ = &cache; }
    // Blocks run once per input by the feature cache in the last train() (0: no caching).
    std::size_t cachedBlocks() const { return cachedBlocks_; }

    // Elements of the parameters the optimizer updates (after train(): at the end of the run).
    std::int64_t optimizedParameters() const;

private:
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

    std::shared_ptr<ClassifierImpl> model_;
    TrainConfig config_;
    torch::Device device_;
    FreezePlan freezePlan_;
    std::vector<NetworkBlock> blocks_;
    std::vector<BlockParameters> parameters_;
    std::map<std::string, double> multipliers_;
    std::set<std::string> frozen_;
    std::set<std::string> inOptimizer_;
    std::unique_ptr<torch::optim::Optimizer> optimizer_;
    std::vector<double> groupBaseRates_;
    FeatureCache* sharedCache_ = nullptr;
    std::size_t cachedBlocks_ = 0;
};

} // namespace graft
