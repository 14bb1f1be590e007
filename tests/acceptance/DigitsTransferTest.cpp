#include "RequiredData.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <map>

namespace graft {
namespace {

struct Reference {
    double mean, sd;                    // held-out accuracy over the reference's seeds
    double deltaLow = 0, deltaHigh = 0; // 95 % t interval of the arm's paired delta against scratch
};

// The same protocol in plain PyTorch with the same built-in weights, measured once:
//   digits_reference.py --graft-weights resources/pretrained/tinynet-fmnist.pt --seeds 20
constexpr int kReferenceSeeds = 20;
const std::map<std::pair<std::string, std::string>, Reference> kReference = {
    {{"fine-tune", "5"}, {0.7104, 0.0332, +0.0370, +0.0657}},
    {{"scratch", "5"}, {0.6591, 0.0329}},
    {{"probe", "5"}, {0.4604, 0.0254, -0.2152, -0.1822}},
    {{"fine-tune", "10"}, {0.7503, 0.0575, +0.0328, +0.1134}},
    {{"scratch", "10"}, {0.6771, 0.0773}},
    {{"probe", "10"}, {0.4035, 0.0397, -0.3214, -0.2259}},
    {{"fine-tune", "20"}, {0.8841, 0.0249, +0.0046, +0.0396}},
    {{"scratch", "20"}, {0.8619, 0.0419}},
    {{"probe", "20"}, {0.5545, 0.0202, -0.3294, -0.2854}}};

TEST(DigitsTransfer, LandsNearTheReferenceWithFineTuningAheadOfScratchAndTheProbeBehind) {
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
        const auto seeds = result["scores"].size();
        ASSERT_EQ(seeds, 10u);
        // The bound comes from the reference's spread alone, so a noisy or broken run cannot
        // widen it: 3 sd of the difference between two independent means of that spread.
        const Reference& reference = kReference.at({arm, k});
        const double mean = result["score"]["mean"];
        const double tolerance = 3 * reference.sd * std::sqrt(1.0 / double(seeds) + 1.0 / kReferenceSeeds);
        EXPECT_LE(std::abs(mean - reference.mean), tolerance)
            << "Graft " << mean << " (sd " << result["score"]["sd"] << "), reference " << reference.mean << " (sd "
            << reference.sd << ")";
        if (arm == "scratch") continue;
        // Where the reference's paired interval excludes zero, Graft must see the same direction.
        const double delta = result["versusBaseline"]["delta"]["mean"];
        const std::string verdict = result["versusBaseline"]["verdict"];
        const int armAhead = result["mcNemar"]["onlyArmRight"], scratchAhead = result["mcNemar"]["onlyBaselineRight"];
        if (reference.deltaHigh < 0) {
            EXPECT_LT(delta, 0.0);
            EXPECT_LT(armAhead, scratchAhead);
            EXPECT_NE(verdict, "transfer helps");
        } else if (reference.deltaLow > 0) {
            EXPECT_GT(delta, 0.0);
            EXPECT_GT(armAhead, scratchAhead);
            EXPECT_NE(verdict, "negative transfer");
        }
    }
}

} // namespace
} // namespace graft
