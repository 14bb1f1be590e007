#include "train/TrainingState.h"

#include "ErrorText.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace graft {
namespace {

TEST(TrainingState, SurvivesARoundTripThroughBytes) {
    TrainingState state;
    state.progress.epoch = 3;
    state.progress.preparedEpoch = 3;
    state.progress.position = 48;
    state.progress.steps = 131;
    state.progress.order = torch::randperm(100, torch::kLong);
    state.progress.lossSum = 12.625;
    state.progress.correct = 37;
    state.progress.bestScore = -0.4375;
    state.progress.epochsWithoutGain = 1;
    state.progress.lossScale = 32768;
    state.progress.stepsSinceScaleChange = 17;
    state.optimizer = std::string("optimizer\0bytes", 15);
    state.shufflerState = torch::randint(0, 255, {64}, torch::kUInt8);
    state.defaultGeneratorState = torch::randint(0, 255, {32}, torch::kUInt8);

    const auto copy = TrainingState::fromBytes(state.toBytes());
    EXPECT_EQ(copy.progress.epoch, 3);
    EXPECT_EQ(copy.progress.preparedEpoch, 3);
    EXPECT_EQ(copy.progress.position, 48);
    EXPECT_EQ(copy.progress.steps, 131);
    EXPECT_TRUE(torch::equal(copy.progress.order, state.progress.order));
    EXPECT_EQ(copy.progress.lossSum, 12.625);
    EXPECT_EQ(copy.progress.correct, 37);
    EXPECT_EQ(copy.progress.bestScore, -0.4375);
    EXPECT_EQ(copy.progress.epochsWithoutGain, 1);
    EXPECT_EQ(copy.progress.lossScale, 32768);
    EXPECT_EQ(copy.progress.stepsSinceScaleChange, 17);
    EXPECT_EQ(copy.optimizer, state.optimizer);
    EXPECT_TRUE(torch::equal(copy.shufflerState, state.shufflerState));
    EXPECT_TRUE(torch::equal(copy.defaultGeneratorState, state.defaultGeneratorState));
}

TEST(TrainingState, AnEpochBoundaryHasNoOrderAndAnInfiniteBestScoreSurvives) {
    TrainingState state;
    state.shufflerState = torch::zeros({4}, torch::kUInt8);
    state.defaultGeneratorState = torch::zeros({4}, torch::kUInt8);
    const auto copy = TrainingState::fromBytes(state.toBytes());
    EXPECT_FALSE(copy.progress.order.defined());
    EXPECT_EQ(copy.progress.bestScore, -INFINITY);
}

TEST(TrainingState, GarbageIsRefusedWithAReason) {
    const std::vector<std::uint8_t> garbage(300, 0x5A);
    EXPECT_NE(testing::errorOf([&] { TrainingState::fromBytes(garbage); }).find("training state is unreadable"),
              std::string::npos);
}

} // namespace
} // namespace graft
