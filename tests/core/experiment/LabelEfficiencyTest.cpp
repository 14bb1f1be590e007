#include "experiment/LabelEfficiency.h"

#include "ErrorText.h"

#include <gtest/gtest.h>

#include <cmath>

namespace graft {
namespace {

TEST(LabelEfficiency, AnExactPowerLawIsRecovered) {
    std::vector<CurvePoint> points;
    for (const double k : {5.0, 10.0, 20.0, 50.0}) points.push_back({k, 1 - 0.5 * std::pow(k, -0.5)});
    const auto fit = fitPowerLaw(points);
    EXPECT_NEAR(fit.scale, 0.5, 1e-9);
    EXPECT_NEAR(fit.exponent, 0.5, 1e-9);
    EXPECT_NEAR(fit.accuracyAt(100), 0.95, 1e-9);
    EXPECT_NE(testing::errorOf([] { fitPowerLaw({{5, 0.5}, {5, 0.6}}); }).find("two different"), std::string::npos);
}

TEST(LabelEfficiency, LabelsToReachInterpolatesInLogBudgetOrSaysNotReached) {
    const std::vector<CurvePoint> scratch = {{20, 0.9}, {5, 0.6}, {10, 0.7}};
    EXPECT_NEAR(*labelsToReach(scratch, 0.8), std::sqrt(200.0), 1e-9); // halfway from 10 to 20 in log k
    EXPECT_EQ(*labelsToReach(scratch, 0.5), 5.0);
    EXPECT_FALSE(labelsToReach(scratch, 0.95).has_value());
}

} // namespace
} // namespace graft
