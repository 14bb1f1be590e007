// Reference values from printed tables and hand arithmetic.
#include "experiment/StudentT.h"

#include <gtest/gtest.h>

namespace graft {
namespace {

TEST(StudentT, QuantilesMatchTheTable) {
    const std::pair<int, double> table[] = {{1, 12.7062047362}, {2, 4.3026527297}, {4, 2.7764451052},
                                            {9, 2.2621571628},  {29, 2.0452296421}, {120, 1.9799304050}};
    for (const auto& [df, t] : table) EXPECT_NEAR(studentTQuantile(0.975, df), t, 1e-8) << "df " << df;
    EXPECT_NEAR(studentTQuantile(0.025, 9), -2.2621571628, 1e-8);
    EXPECT_NEAR(studentTCdf(2.0, 5), 0.9490302606, 1e-9);
    EXPECT_NEAR(studentTCdf(0.0, 3), 0.5, 1e-15);
}

} // namespace
} // namespace graft
