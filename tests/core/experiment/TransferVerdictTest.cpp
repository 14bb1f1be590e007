#include "experiment/TransferVerdict.h"

#include "ErrorText.h"

#include <gtest/gtest.h>

namespace graft {
namespace {

TEST(TransferVerdict, TheIntervalOfPairedDifferencesDecides) {
    EXPECT_EQ(comparePaired({0.76, 0.78, 0.77}, {0.67, 0.69, 0.66}).verdict, Verdict::TransferHelps);
    const auto probe = comparePaired({0.40, 0.39, 0.41}, {0.67, 0.73, 0.91});
    EXPECT_EQ(probe.verdict, Verdict::NegativeTransfer);
    EXPECT_NEAR(probe.delta.mean, -0.37, 1e-12);
    EXPECT_EQ(comparePaired({0.70, 0.80, 0.75}, {0.75, 0.72, 0.74}).verdict, Verdict::NoEvidence);
    EXPECT_EQ(verdictText(Verdict::NegativeTransfer), "negative transfer");
    EXPECT_NE(testing::errorOf([] { comparePaired({0.1, 0.2}, {0.1}); }).find("same number of runs"), std::string::npos);
}

} // namespace
} // namespace graft
