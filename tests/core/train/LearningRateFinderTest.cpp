#include "models/TinyNet.h"
#include "train/LearningRateFinder.h"

#include "ShapesData.h"

#include <gtest/gtest.h>

#include <cmath>

namespace graft {
namespace {

TEST(LearningRateFinder, SuggestsWhereTheLossFallsFastestBeforeItsMinimum) {
    // A loss that falls along a logistic curve, steepest at 1e-3, then climbs after 1e-1.
    std::vector<LearningRateProbe> points;
    for (int i = 0; i <= 60; ++i) {
        const double decade = -6 + i * 0.1; // 1e-6 .. 1
        const double loss = 2.0 / (1.0 + std::exp(4.0 * (decade + 3.0))) + (decade > -1 ? 5 * (decade + 1) : 0.0);
        points.push_back({std::pow(10.0, decade), loss, loss});
    }
    const double suggested = suggestLearningRate(points);
    EXPECT_NEAR(std::log10(suggested), -3.0, 0.11) << suggested;
    EXPECT_EQ(suggestLearningRate({points[0], points[1]}), 0.0);
}

TEST(LearningRateFinder, SweepGrowsTheRateExponentiallyAndStopsWhenTheLossBlowsUp) {
    torch::manual_seed(0);
    auto model = std::make_shared<TinyNetImpl>(1, 3);
    TrainConfig config;
    config.batchSize = 8;
    LearningRateSweepRange range;
    range.start = 1e-5;
    range.end = 1e3;
    range.steps = 80;
    TrainObserver quiet;
    const auto sweep = sweepLearningRate(model, config, testing::shapesTensors(20, 1), range, quiet, {});

    ASSERT_GE(sweep.points.size(), 10u);
    EXPECT_LT(sweep.points.size(), 80u) << "a rate of 1e3 should have blown the loss up";
    EXPECT_FALSE(sweep.stopReason.empty());
    EXPECT_DOUBLE_EQ(sweep.points[0].learningRate, 1e-5);
    const double ratio = std::pow(1e8, 1.0 / 79.0);
    for (std::size_t i = 1; i < sweep.points.size(); ++i)
        EXPECT_NEAR(sweep.points[i].learningRate / sweep.points[i - 1].learningRate, ratio, 1e-9);
    EXPECT_GT(sweep.suggested, sweep.points.front().learningRate);
    EXPECT_LT(sweep.suggested, sweep.points.back().learningRate);
}

} // namespace
} // namespace graft
