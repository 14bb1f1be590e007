#include "train/LearningRateSchedule.h"

#include <gtest/gtest.h>

namespace graft {
namespace {

LearningRateSchedule schedule(const std::string& kind, std::int64_t total, std::int64_t warmup = 0) {
    LearningRateSchedule s;
    s.kind = kind;
    s.totalSteps = total;
    s.warmupSteps = warmup;
    return s;
}

TEST(LearningRateSchedule, WarmUpRisesLinearlyThenTheScheduleStartsAtFullRate) {
    const auto cosine = schedule("cosine", 100, 10);
    EXPECT_DOUBLE_EQ(cosine.factor(1), 0.1);
    EXPECT_DOUBLE_EQ(cosine.factor(5), 0.5);
    EXPECT_DOUBLE_EQ(cosine.factor(10), 1.0);
    EXPECT_DOUBLE_EQ(cosine.factor(11), 1.0);
    EXPECT_LT(cosine.factor(100), 0.001);
    EXPECT_DOUBLE_EQ(schedule("constant", 100, 4).factor(2), 0.5);
    EXPECT_DOUBLE_EQ(schedule("constant", 100, 4).factor(60), 1.0);
}

TEST(LearningRateSchedule, CosineIsHalfWayAtTheMiddle) {
    EXPECT_NEAR(schedule("cosine", 100).factor(51), 0.5, 1e-12);
}

TEST(LearningRateSchedule, StepMultipliesByGammaEveryInterval) {
    auto step = schedule("step", 90);
    step.stepEvery = 30;
    step.gamma = 0.1;
    EXPECT_DOUBLE_EQ(step.factor(1), 1.0);
    EXPECT_DOUBLE_EQ(step.factor(30), 1.0);
    EXPECT_NEAR(step.factor(31), 0.1, 1e-15);
    EXPECT_NEAR(step.factor(61), 0.01, 1e-15);
}

TEST(LearningRateSchedule, OneCyclePeaksAtAQuarterAndEndsFarBelowItsStart) {
    const auto cycle = schedule("onecycle", 100);
    EXPECT_NEAR(cycle.factor(1), 1.0 / 25, 1e-12);
    EXPECT_NEAR(cycle.factor(26), 1.0, 1e-12);
    EXPECT_LT(cycle.factor(13), 1.0);
    EXPECT_LT(cycle.factor(100), 1.0 / 25);
    EXPECT_GT(cycle.factor(100), 0.0);
}

} // namespace
} // namespace graft
