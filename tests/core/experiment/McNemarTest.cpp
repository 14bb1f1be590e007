// Reference values from printed tables, hand arithmetic and SciPy.
#include "experiment/McNemar.h"

#include <gtest/gtest.h>

namespace graft {
namespace {

TEST(McNemar, FewDiscordantPairsUseTheExactBinomialTest) {
    const auto result = mcNemar(10, 2); // 2 * (1 + 12 + 66) / 4096
    EXPECT_TRUE(result.exact);
    EXPECT_NEAR(result.pValue, 158.0 / 4096.0, 1e-12);
    EXPECT_NEAR(mcNemar(3, 3).pValue, 1.0, 1e-12);
    EXPECT_EQ(mcNemar(0, 0).pValue, 1.0);
}

TEST(McNemar, ManyDiscordantPairsUseTheCorrectedChiSquare) {
    const auto result = mcNemar(31, 13); // (|31 - 13| - 1)^2 / 44 = 6.568
    EXPECT_FALSE(result.exact);
    EXPECT_NEAR(result.statistic, 289.0 / 44.0, 1e-12);
    // Table: chi-square(1) is 5.024 at p = 0.025 and 6.635 at p = 0.01; SciPy's chi2.sf gives the figure.
    EXPECT_NEAR(result.pValue, 0.010381795789701767, 1e-12);
    EXPECT_EQ(mcNemar(20, 20).pValue, 1.0) << "equal disagreement is no evidence; the correction must not go negative";
}

} // namespace
} // namespace graft
