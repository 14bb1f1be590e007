#include "experiment/Summary.h"

#include "ErrorText.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace graft {
namespace {

TEST(Summary, FewValuesGetAStudentTInterval) {
    const auto summary = Summary::of({0.7, 0.8, 0.9});
    EXPECT_EQ(summary.method, IntervalMethod::StudentT);
    EXPECT_NEAR(summary.mean, 0.8, 1e-15);
    EXPECT_NEAR(summary.standardDeviation, 0.1, 1e-15);
    const double halfWidth = 4.3026527297 * 0.1 / std::sqrt(3.0);
    EXPECT_NEAR(summary.low, 0.8 - halfWidth, 1e-9);
    EXPECT_NEAR(summary.high, 0.8 + halfWidth, 1e-9);
}

// t quantiles from printed tables, at every count that gets a t interval (1 to 8 degrees of freedom).
TEST(Summary, TIntervalsUseTheTablesQuantileAtEveryCount) {
    const double table[] = {12.7062047362, 4.3026527297, 3.1824463053, 2.7764451052,
                            2.5705818366,  2.4469118511, 2.3646242516, 2.3060041352};
    for (std::size_t count = 2; count < Summary::kBootstrapFrom; ++count) {
        std::vector<double> values(count, 0.5);
        values[0] = 0.4, values[1] = 0.6; // sd = sqrt(0.02 / (count - 1))
        const auto summary = Summary::of(values);
        ASSERT_EQ(summary.method, IntervalMethod::StudentT);
        const double halfWidth = table[count - 2] * std::sqrt(0.02 / double(count - 1)) / std::sqrt(double(count));
        EXPECT_NEAR(summary.high - summary.mean, halfWidth, 1e-9) << count << " values";
    }
}

TEST(Summary, TenOrMoreValuesGetAReproducibleBootstrapInterval) {
    std::vector<double> values;
    for (int i = 0; i < 40; ++i) values.push_back(0.5 + 0.1 * std::sin(i * 1.7));
    const auto summary = Summary::of(values);
    EXPECT_EQ(summary.method, IntervalMethod::Bootstrap);
    const double normalHalfWidth = 1.96 * summary.standardDeviation / std::sqrt(40.0);
    EXPECT_NEAR(summary.high - summary.low, 2 * normalHalfWidth, 0.2 * normalHalfWidth);
    EXPECT_LT(summary.low, summary.mean);
    EXPECT_GT(summary.high, summary.mean);
    EXPECT_EQ(Summary::of(values).low, summary.low);
}

TEST(Summary, OneValueHasAnUnboundedIntervalAndNoneIsAnError) {
    const auto single = Summary::of({0.42});
    EXPECT_EQ(single.method, IntervalMethod::Single);
    EXPECT_TRUE(std::isinf(single.low) && std::isinf(single.high));
    EXPECT_NE(testing::errorOf([] { Summary::of({}); }).find("at least one value"), std::string::npos);
}

} // namespace
} // namespace graft
