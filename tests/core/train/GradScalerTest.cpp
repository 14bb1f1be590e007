#include "train/GradScaler.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace graft {
namespace {

TEST(GradScaler, UnscaledGradientsEqualTheUnscaledLossGradients) {
    auto weight = torch::tensor({1.5f, -2.0f}, torch::requires_grad());
    const auto input = torch::tensor({3.0f, 0.25f});
    GradScaler scaler(1024.0);
    scaler.scale((weight * input).sum()).backward();
    EXPECT_FLOAT_EQ(weight.grad()[0].item<float>(), 3.0f * 1024);
    ASSERT_TRUE(scaler.unscale({weight}));
    EXPECT_FLOAT_EQ(weight.grad()[0].item<float>(), 3.0f);
    EXPECT_FLOAT_EQ(weight.grad()[1].item<float>(), 0.25f);
    EXPECT_DOUBLE_EQ(scaler.currentScale(), 1024.0);
}

TEST(GradScaler, AnOverflowSkipsTheStepAndHalvesTheScale) {
    auto weight = torch::ones({3}, torch::requires_grad());
    weight.mutable_grad() = torch::tensor({1.0f, INFINITY, 2.0f});
    GradScaler scaler(512.0);
    EXPECT_FALSE(scaler.unscale({weight}));
    EXPECT_DOUBLE_EQ(scaler.currentScale(), 256.0);
    weight.mutable_grad() = torch::tensor({1.0f, NAN, 2.0f});
    EXPECT_FALSE(scaler.unscale({weight}));
    EXPECT_DOUBLE_EQ(scaler.currentScale(), 128.0);
}

TEST(GradScaler, TheScaleDoublesAfterEnoughCleanSteps) {
    auto weight = torch::ones({1}, torch::requires_grad());
    GradScaler scaler(8.0, 3);
    for (int step = 0; step < 2; ++step) {
        weight.mutable_grad() = torch::ones({1});
        ASSERT_TRUE(scaler.unscale({weight}));
    }
    EXPECT_DOUBLE_EQ(scaler.currentScale(), 8.0);
    weight.mutable_grad() = torch::ones({1});
    ASSERT_TRUE(scaler.unscale({weight}));
    EXPECT_DOUBLE_EQ(scaler.currentScale(), 16.0);
    EXPECT_EQ(scaler.stepsSinceChange(), 0);
}

} // namespace
} // namespace graft
