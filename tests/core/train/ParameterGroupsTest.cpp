#include "common/Error.h"
#include "models/Architectures.h"
#include "train/ParameterGroups.h"

#include <gtest/gtest.h>
#include <torch/nn/modules/batchnorm.h>

namespace graft {
namespace {

TEST(ParameterGroups, EveryParameterOfEveryArchitectureBelongsToExactlyOneBlock) {
    for (const auto& spec : architectures()) {
        auto model = createClassifier(spec, 4);
        std::size_t grouped = 0;
        for (const auto& group : parametersByBlock(*model)) grouped += group.decayed.size() + group.undecayed.size();
        EXPECT_EQ(grouped, model->parameters().size()) << spec.name;
    }
}

TEST(ParameterGroups, BiasesAndNormParametersAreNotDecayed) {
    auto model = createClassifier(architectureSpec("resnet18"), 4);
    const auto groups = parametersByBlock(*model);
    ASSERT_EQ(groups.front().block, "stem");
    // stem: conv1.weight (decayed); bn1.weight and bn1.bias (not).
    EXPECT_EQ(groups.front().decayed.size(), 1u);
    EXPECT_EQ(groups.front().undecayed.size(), 2u);
    ASSERT_EQ(groups.back().block, "fc");
    EXPECT_EQ(groups.back().decayed.size(), 1u);
    EXPECT_EQ(groups.back().undecayed.size(), 1u);
}

TEST(ParameterGroups, TwoMultipliersRampGeometricallyOverTheTrainableBlocks) {
    const auto multipliers = learningRateMultipliers("0.01,1", {"layer3", "layer4", "fc"});
    EXPECT_NEAR(multipliers.at("layer3"), 0.01, 1e-12);
    EXPECT_NEAR(multipliers.at("layer4"), 0.1, 1e-12);
    EXPECT_NEAR(multipliers.at("fc"), 1.0, 1e-12);
}

TEST(ParameterGroups, NamedMultipliersSetThoseBlocksAndLeaveTheRestAtOne) {
    const auto multipliers = learningRateMultipliers("layer4=0.5", {"layer4", "fc"});
    EXPECT_DOUBLE_EQ(multipliers.at("layer4"), 0.5);
    EXPECT_DOUBLE_EQ(multipliers.at("fc"), 1.0);
    EXPECT_THROW(learningRateMultipliers("layer1=0.5", {"layer4", "fc"}), Error); // frozen, or absent
    EXPECT_THROW(learningRateMultipliers("0.1,1,3", {"layer4", "fc"}), Error);
    EXPECT_THROW(learningRateMultipliers("fast,1", {"layer4", "fc"}), Error);
}

TEST(ParameterGroups, FrozenBlocksKeepBatchNormInEvalModeWhileTheRestTrains) {
    auto model = createClassifier(architectureSpec("resnet18"), 4);
    setTrainingModes(*model, model->blocks(), {"stem", "layer1"});
    for (const auto& item : model->named_modules()) {
        if (!item.value()->as<torch::nn::BatchNorm2d>()) continue;
        const bool frozen = item.key().starts_with("bn1") || item.key().starts_with("layer1.");
        EXPECT_EQ(item.value()->is_training(), !frozen) << item.key();
    }
}

} // namespace
} // namespace graft
