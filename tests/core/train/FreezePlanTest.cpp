#include "common/Error.h"
#include "models/Architectures.h"
#include "models/Classifier.h"
#include "train/FreezePlan.h"

#include <gtest/gtest.h>

namespace graft {
namespace {

using Names = std::set<std::string>;

std::vector<NetworkBlock> resnet18Blocks() { return createClassifier(architectureSpec("resnet18"), 3)->blocks(); }

TEST(FreezePlan, UpToFreezesThatBlockAndEverythingBeforeIt) {
    EXPECT_EQ(FreezePlan::parse("upto:layer3").frozenAt(resnet18Blocks(), 1), (Names{"stem", "layer1", "layer2", "layer3"}));
}

TEST(FreezePlan, ProbeAndLastNCountOnlyBlocksWithParameters) {
    const auto blocks = resnet18Blocks(); // stem, layer1-4, pool (no parameters), fc
    EXPECT_EQ(FreezePlan::parse("probe").frozenAt(blocks, 1), (Names{"stem", "layer1", "layer2", "layer3", "layer4"}));
    EXPECT_EQ(FreezePlan::parse("last:2").frozenAt(blocks, 1), (Names{"stem", "layer1", "layer2"}));
    EXPECT_TRUE(FreezePlan::parse("none").frozenAt(blocks, 1).empty());
    EXPECT_TRUE(FreezePlan::parse("last:9").frozenAt(blocks, 1).empty());
}

TEST(FreezePlan, GradualUnfreezesOneMoreBlockFromTheEndEveryEEpochs) {
    const auto plan = FreezePlan::parse("gradual:2");
    const auto blocks = resnet18Blocks();
    EXPECT_EQ(plan.frozenAt(blocks, 1), (Names{"stem", "layer1", "layer2", "layer3", "layer4"}));
    EXPECT_EQ(plan.frozenAt(blocks, 2), (Names{"stem", "layer1", "layer2", "layer3", "layer4"}));
    EXPECT_EQ(plan.frozenAt(blocks, 3), (Names{"stem", "layer1", "layer2", "layer3"}));
    EXPECT_EQ(plan.frozenAt(blocks, 5), (Names{"stem", "layer1", "layer2"}));
    EXPECT_TRUE(plan.frozenAt(blocks, 11).empty());
}

TEST(FreezePlan, ExplicitBlocksAreFrozenExactly) {
    EXPECT_EQ(FreezePlan::parse("blocks:stem,layer2").frozenAt(resnet18Blocks(), 1), (Names{"stem", "layer2"}));
}

TEST(FreezePlan, UnknownBlockIsAnErrorListingTheRealOnes) {
    try {
        FreezePlan::parse("upto:layer9").frozenAt(resnet18Blocks(), 1);
        FAIL() << "accepted an unknown block";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("'layer9'"), std::string::npos) << error.what();
        EXPECT_NE(std::string(error.what()).find("layer4"), std::string::npos) << error.what();
    }
}

TEST(FreezePlan, FreezingEveryBlockOrMalformedTextIsRefused) {
    EXPECT_THROW(FreezePlan::parse("upto:fc").frozenAt(resnet18Blocks(), 1), Error);
    EXPECT_THROW(FreezePlan::parse("last:0"), Error);
    EXPECT_THROW(FreezePlan::parse("gradual:x"), Error);
    EXPECT_THROW(FreezePlan::parse("freeze-everything"), Error);
    EXPECT_THROW(FreezePlan::parse("upto:"), Error);
}

} // namespace
} // namespace graft
