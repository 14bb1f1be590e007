#include "RequiredData.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <map>

namespace graft {
namespace {

// Mean held-out accuracy over 3 seeds measured by an independent PyTorch script on the same protocol.
const std::map<std::pair<std::string, std::string>, double> kReference = {
    {{"fine-tune", "5"}, 0.765},  {{"scratch", "5"}, 0.677},  {{"probe", "5"}, 0.403},
    {{"fine-tune", "10"}, 0.847}, {{"scratch", "10"}, 0.733}, {{"probe", "10"}, 0.393},
    {{"fine-tune", "20"}, 0.925}, {{"scratch", "20"}, 0.912}, {{"probe", "20"}, 0.503}};

TEST(DigitsTransfer, LandsNearTheReferenceWithFineTuningAheadOfScratchAndTheProbeBehind) {
    GRAFT_REQUIRE_DATA("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", "dataset-fashion-mnist");
    GRAFT_REQUIRE_DATA("/usr/share/doc/opencv-doc/examples/data/digits.png", "opencv-doc");
    testing::TempDir dir;
    const std::string command = "cd " + dir.path().string() + " && bash " + DIGITS_TRANSFER_SCRIPT + " " + GRAFT_CLI + " " +
                                GRAFT_DIGITS_FOLDER + " >log.txt 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << testing::readFile(dir / "log.txt");
    const auto comparison = nlohmann::json::parse(testing::readFile(dir / "digits-experiment-1.json"));
    std::printf("%s", testing::readFile(dir / "digits-experiment-1.md").c_str());

    ASSERT_EQ(comparison["results"].size(), kReference.size());
    for (const auto& result : comparison["results"]) {
        const std::string arm = result["arm"], k = result["labelsPerClass"];
        SCOPED_TRACE(arm + " at k=" + k);
        ASSERT_EQ(result["accuracies"].size(), 3u);
        // Within the noise: the reference mean lies in Graft's 95 % interval over its seeds, widened
        // by the reference's own sampling error (as large again as Graft's standard error).
        const double mean = result["accuracy"]["mean"], sd = result["accuracy"]["sd"];
        const double reference = kReference.at({arm, k});
        const double halfWidth = result["accuracy"]["high"].get<double>() - mean;
        EXPECT_LE(std::abs(mean - reference), halfWidth + 2 * sd / std::sqrt(3.0) + 0.02)
            << "Graft " << mean << " (sd " << sd << "), reference " << reference;
        // With 3 seeds the paired interval is wide: one scratch seed far off (sd 0.13 at k=10 in
        // one CI run) turns either arm's verdict to "no evidence", for the reference script too
        // (issue 5). So this checks what 3 seeds do show: the mean delta's sign, and McNemar's
        // pooled test agreeing strongly. The verdicts themselves are checked at 10 seeds by the
        // demo's CLI test.
        if (arm == "scratch") continue;
        const double delta = result["versusBaseline"]["delta"]["mean"];
        const int armAhead = result["mcNemar"]["onlyArmRight"], scratchAhead = result["mcNemar"]["onlyBaselineRight"];
        if (arm == "probe") {
            EXPECT_LT(delta, 0.0);
            EXPECT_LT(armAhead, scratchAhead);
            EXPECT_NE(result["versusBaseline"]["verdict"], "transfer helps");
            EXPECT_LT(result["mcNemar"]["pValue"].get<double>(), 0.001);
        } else if (k != "20") { // at k=20 scratch has caught up (reference +0.013)
            EXPECT_GT(delta, 0.0);
            EXPECT_GT(armAhead, scratchAhead);
            EXPECT_NE(result["versusBaseline"]["verdict"], "negative transfer");
            EXPECT_LT(result["mcNemar"]["pValue"].get<double>(), 0.001);
        }
    }
}

} // namespace
} // namespace graft
