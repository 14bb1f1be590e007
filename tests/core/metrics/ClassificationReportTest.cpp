#include "metrics/ClassificationReport.h"

#include "ErrorText.h"

#include <gtest/gtest.h>

namespace graft {
namespace {

TEST(ClassificationReport, CountsTheConfusionAndDerivesPrecisionRecallAndF1) {
    // By hand: class a P 1/2 R 1/2, b P 2/3 R 1, c P 1 R 1/2.
    const auto report = ClassificationReport::of({0, 0, 1, 1, 2, 2}, {0, 1, 1, 1, 2, 0}, {"a", "b", "c"});
    const std::vector<std::vector<std::int64_t>> confusion = {{1, 1, 0}, {0, 2, 0}, {1, 0, 1}};
    EXPECT_EQ(report.confusion, confusion);
    EXPECT_DOUBLE_EQ(report.accuracy, 4.0 / 6.0);
    EXPECT_DOUBLE_EQ(report.classes[0].precision, 0.5);
    EXPECT_DOUBLE_EQ(report.classes[0].f1, 0.5);
    EXPECT_DOUBLE_EQ(report.classes[1].precision, 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(report.classes[1].recall, 1.0);
    EXPECT_DOUBLE_EQ(report.classes[1].f1, 0.8);
    EXPECT_DOUBLE_EQ(report.classes[2].recall, 0.5);
    EXPECT_DOUBLE_EQ(report.classes[2].f1, 2.0 / 3.0);
    EXPECT_EQ(report.classes[2].support, 2);
    EXPECT_NEAR(report.macroF1, (0.5 + 0.8 + 2.0 / 3.0) / 3, 1e-12);
    EXPECT_NEAR(report.balancedAccuracy, (0.5 + 1.0 + 0.5) / 3, 1e-12);
}

// 68 % "ok", as on the two-class set that misled users: always saying "ok" scores 0.68 accuracy
// but only 0.5 balanced accuracy and 0.40 macro-F1.
TEST(ClassificationReport, BalancedAccuracyAndMacroF1SeeThroughTheMajorityClass) {
    std::vector<std::int64_t> truth(68, 0);
    truth.insert(truth.end(), 32, 1);
    const std::vector<std::int64_t> alwaysOk(100, 0);
    const auto report = ClassificationReport::of(truth, alwaysOk, {"ok", "defect"});
    EXPECT_DOUBLE_EQ(report.accuracy, 0.68);
    EXPECT_DOUBLE_EQ(report.balancedAccuracy, 0.5);
    EXPECT_NEAR(report.macroF1, (2 * 0.68 / 1.68) / 2, 1e-12);
    // A class with no images does not count towards balanced accuracy, as in scikit-learn.
    EXPECT_DOUBLE_EQ(ClassificationReport::of({0, 0}, {0, 1}, {"a", "b", "c"}).balancedAccuracy, 0.5);
}

TEST(ClassificationReport, AClassNeverPredictedHasZeroPrecisionNotNaN) {
    const auto report = ClassificationReport::of({0, 1}, {0, 0}, {"a", "b"});
    EXPECT_EQ(report.classes[1].precision, 0.0);
    EXPECT_EQ(report.classes[1].f1, 0.0);
    EXPECT_NE(testing::errorOf([] { ClassificationReport::of({0, 3}, {0, 0}, {"a", "b"}); }).find("class 3 of only 2"),
              std::string::npos);
}

} // namespace
} // namespace graft
