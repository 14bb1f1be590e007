#include "common/Error.h"
#include "models/Architectures.h"
#include "models/TinyNet.h"
#include "train/CheckpointWeights.h"
#include "train/ClassBalancedSampling.h"
#include "train/Trainer.h"

#include "ShapesData.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <set>

namespace graft {
namespace {

class RecordingObserver : public TrainObserver {
public:
    void onStep(const StepEvent& event) override { losses.push_back(event.loss); }
    void onEpoch(const EpochEvent& event) override { epochs.push_back(event); }
    void onCheckpoint(const CheckpointEvent& event) override {
        if (event.kind == CheckpointKind::Last) checkpointBytes = event.weights.size();
    }

    std::vector<double> losses;
    std::vector<EpochEvent> epochs;
    std::size_t checkpointBytes = 0;
};

TrainConfig fastConfig() {
    TrainConfig config;
    config.epochs = 4;
    config.batchSize = 16;
    config.learningRate = 3e-3;
    return config;
}

TEST(Trainer, LossFallsAndShapesAreLearnedFromScratch) {
    const auto trainSet = testing::shapesTensors(60, 1);
    const auto valSet = testing::shapesTensors(20, 2);
    torch::manual_seed(0);
    RecordingObserver observer;
    const auto outcome = Trainer(std::make_shared<TinyNetImpl>(1, 3), fastConfig(), torch::kCPU)
                             .train(trainSet, valSet, observer, {});

    EXPECT_EQ(outcome.status, TrainStatus::Finished);
    EXPECT_EQ(outcome.epochsCompleted, 4);
    EXPECT_EQ(outcome.steps, 4 * 12); // 180 images in batches of 16
    ASSERT_EQ(observer.losses.size(), 48u);
    const double firstSteps = std::accumulate(observer.losses.begin(), observer.losses.begin() + 3, 0.0) / 3;
    const double lastSteps = std::accumulate(observer.losses.end() - 3, observer.losses.end(), 0.0) / 3;
    EXPECT_LT(lastSteps, 0.6 * firstSteps);
    ASSERT_EQ(observer.epochs.size(), 4u);
    EXPECT_LT(observer.epochs.back().trainLoss, observer.epochs.front().trainLoss);
    EXPECT_TRUE(observer.epochs.back().validated);
    EXPECT_GT(observer.epochs.back().valAccuracy, 0.8);
    EXPECT_GT(observer.checkpointBytes, 0u);
}

// Poisons the model once the first epoch's checkpoint is out, and counts the checkpoints after.
class PoisonAfterFirstEpoch : public TrainObserver {
public:
    PoisonAfterFirstEpoch(std::function<void()> poison) : poison_(std::move(poison)) {}
    void onCheckpoint(const CheckpointEvent& event) override {
        if (poisoned_) ++checkpointsAfter;
        if (event.kind == CheckpointKind::Last && event.epoch == 1 && !poisoned_) {
            poison_();
            poisoned_ = true;
        }
    }
    int checkpointsAfter = 0;

private:
    std::function<void()> poison_;
    bool poisoned_ = false;
};

void expectDivergedWithoutCheckpoint(const std::shared_ptr<TinyNetImpl>& model, PoisonAfterFirstEpoch& observer) {
    TrainConfig config = fastConfig();
    config.checkpointMinutes = 0; // a checkpoint after every step: the first one after the poison must not happen
    try {
        Trainer(model, config, torch::kCPU).train(testing::shapesTensors(30, 1), testing::shapesTensors(10, 2), observer, {});
        FAIL() << "training went on with NaN in the model";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("training diverged"), std::string::npos) << error.what();
    }
    EXPECT_EQ(observer.checkpointsAfter, 0) << "a checkpoint of the poisoned model was written";
}

TEST(Trainer, ANaNLossStopsTrainingBeforeAnotherCheckpoint) {
    torch::manual_seed(0);
    auto model = std::make_shared<TinyNetImpl>(1, 3);
    PoisonAfterFirstEpoch observer([&] {
        torch::NoGradGuard noGrad;
        model->parameters().front().fill_(std::numeric_limits<float>::quiet_NaN());
    });
    expectDivergedWithoutCheckpoint(model, observer);
}

// NaN batch-norm statistics leave the training loss finite (batches use their own statistics),
// so only the check before each checkpoint catches them.
TEST(Trainer, NaNBatchNormStatisticsAreNeverCheckpointed) {
    torch::manual_seed(0);
    auto model = std::make_shared<TinyNetImpl>(1, 3);
    PoisonAfterFirstEpoch observer([&] {
        torch::NoGradGuard noGrad;
        for (auto& buffer : model->named_buffers())
            if (buffer.key().ends_with("running_mean")) {
                buffer.value().fill_(std::numeric_limits<float>::quiet_NaN());
                return;
            }
        FAIL() << "TinyNet has no batch norm";
    });
    expectDivergedWithoutCheckpoint(model, observer);
}

TEST(Trainer, SgdWithMomentumAlsoLearns) {
    const auto trainSet = testing::shapesTensors(60, 1);
    auto config = fastConfig();
    config.optimizer = "sgd";
    config.learningRate = 0.05;
    torch::manual_seed(0);
    RecordingObserver observer;
    Trainer(std::make_shared<TinyNetImpl>(1, 3), config, torch::kCPU).train(trainSet, {}, observer, {});
    ASSERT_EQ(observer.epochs.size(), 4u);
    EXPECT_LT(observer.epochs.back().trainLoss, 0.5 * observer.epochs.front().trainLoss);
    EXPECT_GT(observer.epochs.back().trainAccuracy, 0.8);
}

TEST(Trainer, StopRequestEndsTrainingWithinOneBatch) {
    const auto trainSet = testing::shapesTensors(60, 1);
    std::stop_source stop;
    class StopAtSecondStep : public RecordingObserver {
    public:
        explicit StopAtSecondStep(std::stop_source& source) : source_(source) {}
        void onStep(const StepEvent& event) override {
            RecordingObserver::onStep(event);
            if (event.step == 2) source_.request_stop();
        }
        std::stop_source& source_;
    } observer(stop);

    const auto outcome =
        Trainer(std::make_shared<TinyNetImpl>(1, 3), fastConfig(), torch::kCPU).train(trainSet, {}, observer, stop.get_token());
    EXPECT_EQ(outcome.status, TrainStatus::Cancelled);
    EXPECT_EQ(outcome.steps, 2);
    EXPECT_EQ(observer.losses.size(), 2u);
    EXPECT_TRUE(observer.epochs.empty());
}

TEST(Trainer, SameSeedGivesIdenticalLosses) {
    const auto trainSet = testing::shapesTensors(20, 1);
    auto config = fastConfig();
    config.epochs = 1;
    std::vector<std::vector<double>> runs;
    for (int i = 0; i < 2; ++i) {
        torch::manual_seed(config.seed);
        RecordingObserver observer;
        Trainer(std::make_shared<TinyNetImpl>(1, 3), config, torch::kCPU).train(trainSet, {}, observer, {});
        runs.push_back(observer.losses);
    }
    EXPECT_EQ(runs[0], runs[1]);
}

// The layout is a speed choice: training on NHWC follows the same curve, up to summation order.
TEST(Trainer, ChannelsLastOnTheCpuFollowsTheContiguousLossCurve) {
    const auto trainSet = testing::shapesTensors(20, 1);
    auto config = fastConfig();
    config.epochs = 2;
    std::vector<std::vector<double>> runs;
    for (const bool nhwc : {false, true}) {
        config.channelsLast = nhwc;
        torch::manual_seed(config.seed);
        RecordingObserver observer;
        Trainer(std::make_shared<TinyNetImpl>(1, 3), config, torch::kCPU).train(trainSet, {}, observer, {});
        runs.push_back(observer.losses);
    }
    ASSERT_EQ(runs[0].size(), runs[1].size());
    for (std::size_t step = 0; step < runs[0].size(); ++step) EXPECT_NEAR(runs[1][step], runs[0][step], 1e-3) << step;
}

std::map<std::string, torch::Tensor> snapshot(const torch::nn::Module& model) {
    std::map<std::string, torch::Tensor> values;
    for (const auto& item : model.named_parameters()) values[item.key()] = item.value().detach().clone();
    for (const auto& item : model.named_buffers()) values[item.key()] = item.value().detach().clone();
    return values;
}

// Names (parameters and buffers) whose values differ between two snapshots.
std::set<std::string> changed(const std::map<std::string, torch::Tensor>& before, const torch::nn::Module& model) {
    std::set<std::string> names;
    for (const auto& [name, value] : snapshot(model))
        if (!torch::equal(value, before.at(name))) names.insert(name);
    return names;
}

bool anyStartsWith(const std::set<std::string>& names, const std::string& prefix) {
    return std::any_of(names.begin(), names.end(), [&](const auto& name) { return name.starts_with(prefix); });
}

TEST(Trainer, FrozenBlocksKeepTheirWeightsAndBatchNormStatistics) {
    const auto trainSet = testing::shapesTensors(20, 1);
    torch::manual_seed(0);
    auto model = std::make_shared<TinyNetImpl>(1, 3);
    const auto before = snapshot(*model);
    auto config = fastConfig();
    config.epochs = 2;
    config.freeze = "upto:stage2";
    config.weightDecay = 0.01;
    Trainer trainer(model, config, torch::kCPU);
    RecordingObserver observer;
    trainer.train(trainSet, {}, observer, {});

    const auto moved = changed(before, *model);
    for (const auto* frozen : {"stem.", "stage1.", "stage2."}) EXPECT_FALSE(anyStartsWith(moved, frozen)) << frozen;
    EXPECT_TRUE(moved.contains("stage3.1.running_mean")); // trainable BatchNorm still tracks statistics
    EXPECT_TRUE(moved.contains("stage3.0.weight"));
    EXPECT_TRUE(moved.contains("head.weight"));
    for (const auto& item : model->named_parameters())
        EXPECT_EQ(item.value().requires_grad(), item.key().starts_with("stage3.") || item.key().starts_with("head."))
            << item.key();
}

// Validation and checkpoints see BatchNorm statistics of the whole training set, not an average
// that trails the weights by ten batches.
TEST(Trainer, AfterEachEpochBatchNormHoldsTheTrainingSetsStatistics) {
    const auto trainSet = testing::shapesTensors(20, 1); // 60 images: batches of 16, 16, 16 and 12
    for (const bool recalibrate : {true, false}) {
        torch::manual_seed(0);
        auto model = std::make_shared<TinyNetImpl>(1, 3);
        auto config = fastConfig();
        config.epochs = 2;
        config.recalibrateBatchNorm = recalibrate;
        RecordingObserver observer;
        Trainer(model, config, torch::kCPU).train(trainSet, {}, observer, {});

        torch::NoGradGuard noGrad;
        auto modules = model->named_modules();
        auto& conv = *modules["stem.0"]->as<torch::nn::Conv2dImpl>();
        auto& norm = *modules["stem.1"]->as<torch::nn::BatchNorm2dImpl>();
        const auto features = conv.forward(trainSet.images).transpose(0, 1).reshape({norm.options.num_features(), -1});
        EXPECT_EQ(torch::allclose(norm.running_mean, features.mean(1), 1e-4, 1e-5), recalibrate)
            << (recalibrate ? "recalibrated" : "as training left them") << ": " << (norm.running_mean - features.mean(1)).abs().max();
        EXPECT_EQ(torch::allclose(norm.running_var, features.var(1, /*unbiased=*/true), 1e-4, 1e-5), recalibrate)
            << (recalibrate ? "recalibrated" : "as training left them");
    }
}

// Layer by layer, the exact per-channel mean and unbiased variance of what each BatchNorm layer of
// `model` receives in evaluation when every layer before it normalises with such statistics: what
// one pass of the whole set as a single batch estimates.
std::vector<std::pair<torch::Tensor, torch::Tensor>> evaluationStatistics(TinyNetImpl& model, torch::Tensor x) {
    torch::NoGradGuard noGrad;
    std::vector<std::pair<torch::Tensor, torch::Tensor>> statistics;
    auto children = model.named_children();
    for (const auto* name : {"stem", "stage1", "stage2", "stage3"})
        for (auto& layer : *children[name]->as<torch::nn::Sequential>()) {
            const auto* norm = layer.ptr()->as<torch::nn::BatchNorm2d>();
            if (!norm) {
                x = layer.forward(x);
                continue;
            }
            const auto channels = x.transpose(0, 1).reshape({x.size(1), -1});
            statistics.emplace_back(channels.mean(1), channels.var(1, /*unbiased=*/true));
            x = torch::nn::functional::batch_norm(x, statistics.back().first, statistics.back().second,
                                                  torch::nn::functional::BatchNormFuncOptions()
                                                      .weight(norm->weight)
                                                      .bias(norm->bias)
                                                      .eps(norm->options.eps()));
        }
    return statistics;
}

// The project stores a run's training images class by class. Walked in that order, each
// recalibration batch would hold one class, and as every layer normalises a batch with the
// batch's own statistics, the deeper layers would see each class centred on itself, never the
// spread between classes that evaluation shows them.
TEST(Trainer, RecalibrationMixesTheClassesOfATrainingSetStoredClassByClass) {
    auto trainSet = testing::shapesTensors(20, 1);
    const auto byClass = std::get<1>(trainSet.labels.sort(/*stable=*/c10::optional<bool>(true), 0));
    trainSet.images = trainSet.images.index_select(0, byClass);
    trainSet.labels = trainSet.labels.index_select(0, byClass);
    torch::manual_seed(0);
    auto model = std::make_shared<TinyNetImpl>(1, 3);
    auto config = fastConfig();
    config.epochs = 3;
    RecordingObserver observer;
    Trainer(model, config, torch::kCPU).train(trainSet, {}, observer, {});

    const auto reference = evaluationStatistics(*model, trainSet.images);
    std::vector<torch::nn::BatchNorm2dImpl*> norms;
    for (const auto& module : model->modules(false))
        if (auto* norm = module->as<torch::nn::BatchNorm2d>()) norms.push_back(norm);
    ASSERT_EQ(norms.size(), reference.size());
    for (std::size_t i = 0; i < norms.size(); ++i) {
        const auto& [mean, variance] = reference[i];
        const double varianceError = (norms[i]->running_var / variance - 1).abs().max().item<double>();
        const double meanError = ((norms[i]->running_mean - mean).abs() / variance.sqrt()).max().item<double>();
        // Random batches of 16 leave the deeper layers' figures a little off (here at most 0.003 sd
        // and 3 %); one class per batch put the last layer's variance 42 % off.
        EXPECT_LT(meanError, 0.02) << "layer " << i << "'s mean, in standard deviations";
        EXPECT_LT(varianceError, 0.1) << "layer " << i << "'s variance, relative";
    }
}

TEST(Trainer, FrozenParametersAreAbsentFromTheOptimizer) {
    torch::manual_seed(0);
    auto model = std::make_shared<TinyNetImpl>(1, 3);
    auto config = fastConfig();
    config.epochs = 1;
    config.freeze = "probe";
    Trainer trainer(model, config, torch::kCPU);
    RecordingObserver observer;
    trainer.train(testing::shapesTensors(5, 1), {}, observer, {});
    EXPECT_EQ(trainer.optimizedParameters(), TinyNetImpl::kFeatureWidth * 3 + 3); // the head alone
}

TEST(Trainer, GradualUnfreezingReachesOneMoreBlockEachEpoch) {
    torch::manual_seed(0);
    auto model = std::make_shared<TinyNetImpl>(1, 3);
    const auto before = snapshot(*model);
    auto config = fastConfig();
    config.epochs = 3;
    config.freeze = "gradual:1"; // head, then stage3, then stage2
    Trainer trainer(model, config, torch::kCPU);
    RecordingObserver observer;
    trainer.train(testing::shapesTensors(10, 1), {}, observer, {});
    const auto moved = changed(before, *model);
    EXPECT_FALSE(anyStartsWith(moved, "stem."));
    EXPECT_FALSE(anyStartsWith(moved, "stage1."));
    EXPECT_TRUE(moved.contains("stage2.0.weight"));
    EXPECT_TRUE(moved.contains("stage3.0.weight"));
    EXPECT_EQ(trainer.optimizedParameters(), [&] {
        std::int64_t count = 0;
        for (const auto& item : model->named_parameters())
            if (!item.key().starts_with("stem.") && !item.key().starts_with("stage1.")) count += item.value().numel();
        return count;
    }());
}

TEST(Trainer, ABlockWithLearningRateMultiplierZeroDoesNotMove) {
    torch::manual_seed(0);
    auto model = std::make_shared<TinyNetImpl>(1, 3);
    const auto before = snapshot(*model);
    auto config = fastConfig();
    config.epochs = 1;
    config.lrMultipliers = "stage1=0";
    Trainer trainer(model, config, torch::kCPU);
    RecordingObserver observer;
    trainer.train(testing::shapesTensors(10, 1), {}, observer, {});
    const auto moved = changed(before, *model);
    EXPECT_FALSE(moved.contains("stage1.0.weight"));
    EXPECT_TRUE(moved.contains("stage1.1.running_mean")); // not frozen: its BatchNorm still trains
    EXPECT_TRUE(moved.contains("stage2.0.weight"));
}

TEST(Trainer, UnknownBlockInTheFreezePlanIsRefusedBeforeTraining) {
    auto config = fastConfig();
    config.freeze = "upto:layer3";
    EXPECT_THROW(Trainer(std::make_shared<TinyNetImpl>(1, 3), config, torch::kCPU), Error);
}

TEST(Trainer, EarlyStoppingEndsTheRunWhenValidationStopsImproving) {
    torch::manual_seed(0);
    auto config = fastConfig();
    config.epochs = 10;
    config.learningRate = 1e-12; // nothing can improve
    config.earlyStopPatience = 2;
    RecordingObserver observer;
    const auto outcome = Trainer(std::make_shared<TinyNetImpl>(1, 3), config, torch::kCPU)
                             .train(testing::shapesTensors(5, 1), testing::shapesTensors(5, 2), observer, {});
    EXPECT_TRUE(outcome.stoppedEarly);
    EXPECT_EQ(outcome.status, TrainStatus::Finished);
    EXPECT_EQ(outcome.epochsCompleted, 3); // the first sets the best, two more without a gain
}

// Every "last" checkpoint (with its training state) and every step's loss.
class CheckpointRecorder : public TrainObserver {
public:
    struct Saved {
        std::int64_t step;
        std::vector<std::uint8_t> weights;
        std::vector<std::uint8_t> state;
        std::optional<FrozenWeights> frozen;
    };
    void onStep(const StepEvent& event) override { losses.push_back(event.loss); }
    void onCheckpoint(const CheckpointEvent& event) override {
        if (event.kind == CheckpointKind::Last)
            saved.push_back({event.step, {event.weights.begin(), event.weights.end()},
                             {event.trainingState.begin(), event.trainingState.end()},
                             event.frozen ? std::optional(*event.frozen) : std::nullopt});
    }
    std::vector<double> losses;
    std::vector<Saved> saved;
};

TEST(Trainer, ResumingFromAnyCheckpointContinuesExactlyLikeTheUninterruptedRun) {
    // MobileNetV3's classifier has dropout (torch's default generator), gradual unfreezing adds
    // optimizer groups as it goes, and class-balanced sampling draws from the shuffler: all of it
    // must come back from the training state.
    const auto spec = architectureSpec("mobilenet_v3_small");
    torch::manual_seed(3);
    LabeledTensors data{torch::randn({40, 3, 32, 32}), torch::randint(0, 3, {40}, torch::kLong)};
    TrainConfig config;
    config.epochs = 3;
    config.batchSize = 8; // 5 steps an epoch
    config.optimizer = "sgd";
    config.learningRate = 0.05;
    config.nesterov = true;
    config.freeze = "gradual:1";
    config.classBalanced = true;
    config.checkpointMinutes = 0; // a checkpoint after every step
    config.seed = 5;

    torch::manual_seed(1);
    CheckpointRecorder uninterrupted;
    Trainer(createClassifier(spec, 3), config, torch::kCPU).train(data, {}, uninterrupted, {});
    ASSERT_EQ(uninterrupted.losses.size(), 15u);
    ASSERT_EQ(uninterrupted.saved.size(), 15u);

    for (const std::int64_t cut : {3, 5, 7}) { // within epoch 1, at its end, within epoch 2 (after an unfreeze)
        SCOPED_TRACE("resumed after step " + std::to_string(cut));
        const auto& checkpoint = uninterrupted.saved[std::size_t(cut - 1)];
        ASSERT_EQ(checkpoint.step, cut);
        torch::manual_seed(99); // the default generator must be restored, not merely seeded alike
        auto model = createClassifier(spec, 3);
        loadCheckpointWeights(*model, checkpoint.weights, checkpoint.frozen ? &*checkpoint.frozen : nullptr, "checkpoint");
        Trainer trainer(model, config, torch::kCPU);
        trainer.resumeFrom(TrainingState::fromBytes(checkpoint.state));
        CheckpointRecorder resumed;
        const auto outcome = trainer.train(data, {}, resumed, {});
        EXPECT_EQ(outcome.steps, 15);
        ASSERT_EQ(resumed.losses.size(), std::size_t(15 - cut));
        for (std::size_t i = 0; i < resumed.losses.size(); ++i)
            EXPECT_NEAR(resumed.losses[i], uninterrupted.losses[std::size_t(cut) + i], 1e-5) << "step " << cut + 1 + std::int64_t(i);
        EXPECT_EQ(resumed.saved.back().weights, uninterrupted.saved.back().weights);
    }
}

TEST(Trainer, AStateFromAnotherOptimizerIsRefusedWithAReason) {
    torch::manual_seed(0);
    const auto data = testing::shapesTensors(4, 1);
    auto config = fastConfig();
    config.epochs = 1;
    CheckpointRecorder recorder;
    Trainer(std::make_shared<TinyNetImpl>(1, 3), config, torch::kCPU).train(data, {}, recorder, {});
    ASSERT_FALSE(recorder.saved.empty());
    config.freeze = "probe"; // one parameter group pair instead of one per block
    Trainer trainer(std::make_shared<TinyNetImpl>(1, 3), config, torch::kCPU);
    trainer.resumeFrom(TrainingState::fromBytes(recorder.saved.back().state));
    TrainObserver quiet;
    try {
        trainer.train(data, {}, quiet, {});
        FAIL() << "a state with other parameter groups must not load";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("optimizer state does not fit"), std::string::npos) << error.what();
    }
}

TEST(ClassBalancedSampling, RareClassesAreDrawnAsOftenAsCommonOnes) {
    auto labels = torch::zeros({1000}, torch::kInt64);
    labels.slice(0, 0, 50).fill_(1); // 5 % of the images
    auto generator = at::make_generator<at::CPUGeneratorImpl>(7);
    const auto order = classBalancedOrder(labels, generator);
    ASSERT_EQ(order.size(0), 1000);
    const auto drawnRare = labels.index_select(0, order).eq(1).sum().item<std::int64_t>();
    EXPECT_GT(drawnRare, 420); // about 500 expected, standard deviation 16
    EXPECT_LT(drawnRare, 580);
}

} // namespace
} // namespace graft
