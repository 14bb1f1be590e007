#include "models/Architectures.h"
#include "models/TinyNet.h"
#include "train/Trainer.h"

#include "ShapesData.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <numeric>

namespace graft {
namespace {

class RecordingObserver : public TrainObserver {
public:
    void onStep(const StepEvent& event) override { losses.push_back(event.loss); }
    void onEpoch(const EpochEvent& event) override { epochs.push_back(event); }
    void onCheckpoint(int, std::int64_t, std::span<const std::uint8_t> weights) override {
        checkpointBytes = weights.size();
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

} // namespace
} // namespace graft
