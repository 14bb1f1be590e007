#include "common/AtomicFile.h"
#include "models/TinyNet.h"
#include "models/Weights.h"
#include "common/Error.h"

#include "TempDir.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace graft {
namespace {

TEST(Weights, RoundTripThroughAFileReproducesOutputs) {
    testing::TempDir dir;
    torch::manual_seed(1);
    TinyNet source(1, 4);
    source->eval();
    writeFileAtomically(dir / "w.pt", serializeWeights(*source));

    torch::manual_seed(2);
    TinyNet copy(1, 4);
    copy->eval();
    // Read back through the restricted .pth reader, as `train --init` does.
    loadAllWeights(*copy, readPthFile(dir / "w.pt"), "w.pt");
    const auto input = torch::randn({2, 1, 28, 28});
    EXPECT_TRUE(torch::allclose(source->forward(input), copy->forward(input)));
}

TEST(Weights, MatchingLoadSkipsANewHeadAndNamesBothShapes) {
    TinyNet pretrained(1, 10);
    TinyNet target(1, 3);
    const auto report = loadMatchingWeights(*target, serializeWeights(*pretrained), "pretrained.pt");
    ASSERT_EQ(report.skipped.size(), 2u);
    EXPECT_NE(report.skipped[0].find("head.weight: shape [10, 128] in pretrained.pt, model has [3, 128]"),
              std::string::npos)
        << report.skipped[0];
    EXPECT_TRUE(report.missing.empty());
    EXPECT_TRUE(torch::equal(target->named_parameters()["stem.0.weight"], pretrained->named_parameters()["stem.0.weight"]));
    EXPECT_TRUE(torch::equal(target->named_buffers()["stage3.1.running_var"],
                             pretrained->named_buffers()["stage3.1.running_var"]));
}

TEST(Weights, StrictLoadRejectsAMismatchByName) {
    TinyNet pretrained(1, 10);
    TinyNet target(1, 3);
    try {
        loadAllWeights(*target, serializeWeights(*pretrained), "pretrained.pt");
        FAIL();
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("head.weight"), std::string::npos) << error.what();
    }
}

TEST(Weights, GarbageIsAnErrorNamingTheSource) {
    TinyNet target(1, 3);
    const std::vector<std::uint8_t> garbage(64, 0x42);
    try {
        loadAllWeights(*target, garbage, "broken.pt");
        FAIL();
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("broken.pt"), std::string::npos) << error.what();
    }
}

} // namespace
} // namespace graft
