#include "experiment/DomainShiftProject.h"

#include "data/PrintedDigits.h"
#include "experiment/ExperimentRunner.h"
#include "experiment/ExperimentSpec.h"
#include "project/DomainStore.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"

#include "DigitsSheet.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace graft {
namespace {

TEST(PrintedDigits, SameSeedDrawsTheSameDigitsCutLikeTheHandwrittenOnes) {
    const auto first = renderPrintedDigits(6, 3), again = renderPrintedDigits(6, 3), other = renderPrintedDigits(6, 4);
    ASSERT_EQ(first.size(), 60u);
    int differing = 0;
    for (std::size_t i = 0; i < first.size(); ++i) {
        EXPECT_EQ(first[i].digit, int(i) / 6);
        EXPECT_EQ(first[i].image.size(), cv::Size(28, 28));
        EXPECT_EQ(cv::norm(first[i].image, again[i].image, cv::NORM_INF), 0.0) << i;
        differing += cv::norm(first[i].image, other[i].image, cv::NORM_INF) > 0 ? 1 : 0;
        // White ink on black, inside the 20 px cell give or take the pixel of jitter, as on OpenCV's sheet.
        const cv::Rect ink = cv::boundingRect(first[i].image);
        EXPECT_GE(ink.x, 2);
        EXPECT_GE(ink.y, 2);
        EXPECT_LE(ink.x + ink.width, 26);
        EXPECT_LE(ink.y + ink.height, 26);
        EXPECT_GE(std::max(ink.width, ink.height), 13);
        EXPECT_EQ(first[i].image.at<std::uint8_t>(0, 0), 0);
    }
    EXPECT_GT(differing, 50) << "another seed draws other faces, strokes and angles";
}

TEST(DomainShiftProject, HoldsPrintedSourceAndHandwrittenTargetSplitAndItsSixArmsUnrun) {
    testing::TempDir dir;
    testing::writeDigitsSheet(dir / "sheet" / "digits.png");
    const auto benchmark = createDomainShiftProject(dir / "shift.graft", 20, 2, dir / "sheet" / "digits.png");
    EXPECT_EQ(benchmark.printed, 200);
    EXPECT_EQ(benchmark.handwrittenTraining, 2500);
    EXPECT_EQ(benchmark.handwrittenHeldOut, 2500);

    Database db = openProject(dir / "shift.graft", ProjectAccess::ReadOnly);
    const auto summaries = DomainStore(db).summaries();
    ASSERT_EQ(summaries.size(), 2u);
    EXPECT_EQ(summaries[0].name, "handwritten");
    EXPECT_EQ(summaries[0].val, 0);
    EXPECT_EQ(summaries[1].name, "printed");
    EXPECT_EQ(summaries[1].train, 180);
    EXPECT_EQ(summaries[1].val, 20);
    EXPECT_EQ(summaries[1].test, 0) << "only handwritten digits judge the arms";

    const auto spec = ExperimentSpec::fromJson(ExperimentStore(db).experiment(benchmark.experimentId).specJson);
    ASSERT_EQ(spec.arms.size(), 6u);
    EXPECT_EQ(spec.baseline, "source only");
    EXPECT_EQ(spec.seeds.size(), 2u);
    for (const auto& arm : spec.arms) EXPECT_EQ(arm.config.targetDomain, "handwritten") << arm.name;
    EXPECT_EQ(spec.arms[1].config.domainAdaptation, "adabn");
    EXPECT_EQ(spec.arms[2].config.domainAdaptation, "coral");
    EXPECT_EQ(spec.arms[3].config.domainAdaptation, "dann");
    EXPECT_EQ(spec.arms[4].config.labelsPerClass, 10);
    EXPECT_EQ(spec.arms[4].config.trainingDomains, "handwritten");
    EXPECT_EQ(experimentState(db, benchmark.experimentId).left(), 12);
}

} // namespace
} // namespace graft
