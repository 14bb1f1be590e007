#include "export/FoldedClassifier.h"

#include "models/Architectures.h"
#include "train/Evaluation.h"

#include "RandomStatistics.h"

#include <gtest/gtest.h>

namespace graft {
namespace {

struct FoldingCase {
    std::string arch;
    int size;
};

class FoldedInference : public ::testing::TestWithParam<FoldingCase> {};

TEST_P(FoldedInference, GivesTheUnfoldedModelsLogitsToOneInTenThousand) {
    const auto& [arch, size] = GetParam();
    auto model = testing::classifierWithRandomStatistics(arch, 5);
    const auto images = testing::randomImages(arch, size);
    torch::NoGradGuard noGrad;
    const auto expected = model->forward(images);
    const FoldedClassifier folded(*model, torch::kCPU);
    const auto actual = folded.forward(images);
    ASSERT_EQ(actual.sizes(), expected.sizes());
    const double scale = std::max(1.0, expected.abs().max().item<double>());
    EXPECT_LT((actual - expected).abs().max().item<double>(), 1e-4 * scale);
    EXPECT_TRUE(torch::equal(folded.forward(images), actual)) << "a second call from freed and reused buffers";
}

INSTANTIATE_TEST_SUITE_P(Architectures, FoldedInference,
                         ::testing::Values(FoldingCase{"tinynet", 28}, FoldingCase{"resnet18", 64},
                                           FoldingCase{"resnet50", 64}, FoldingCase{"mobilenet_v2", 64},
                                           FoldingCase{"mobilenet_v3_small", 64}, FoldingCase{"efficientnet_b0", 64}),
                         [](const auto& info) { return info.param.arch; });

// A probe's feature cache runs every block but the head.
TEST(FoldedInference, PooledFeaturesAreWhatTheBlocksBeforeTheHeadGive) {
    for (const auto* arch : {"resnet18", "mobilenet_v3_small", "tinynet"}) {
        SCOPED_TRACE(arch);
        auto model = testing::classifierWithRandomStatistics(arch, 3);
        const auto images = testing::randomImages(arch, 48);
        const auto blocks = model->blocks();
        torch::NoGradGuard noGrad;
        auto expected = images;
        for (std::size_t i = 0; i + 1 < blocks.size(); ++i) expected = blocks[i].forward(expected);
        const auto actual = prefixFunction(*model, blocks, blocks.size() - 1, torch::kCPU)(images);
        ASSERT_EQ(actual.sizes(), expected.sizes());
        EXPECT_LT((actual - expected).abs().max().item<double>(), 1e-4 * std::max(1.0, expected.abs().max().item<double>()));
        const auto partial = prefixFunction(*model, blocks, 2, torch::kCPU)(images);
        EXPECT_TRUE(torch::equal(partial, blocks[1].forward(blocks[0].forward(images)))) << "a shorter prefix runs block by block";
    }
}

TEST(FoldedInference, LeavesTheCallersImagesAsTheyWere) {
    auto model = testing::classifierWithRandomStatistics("resnet18", 3);
    const auto images = testing::randomImages("resnet18", 32);
    const auto before = images.clone();
    FoldedClassifier(*model, torch::kCPU).forward(images);
    EXPECT_TRUE(torch::equal(images, before));
}

TEST(FoldedInference, EvaluationUsesItAndPredictsAsTheModelDoes) {
    auto model = testing::classifierWithRandomStatistics("mobilenet_v3_small", 4);
    torch::manual_seed(2);
    LabeledTensors data{testing::randomImages("mobilenet_v3_small", 64).repeat({5, 1, 1, 1}), torch::randint(0, 4, {10}, torch::kLong)};
    const auto folded = evaluate(*model, data, 4, torch::kCPU);
    const auto unfolded = evaluateWith([&](torch::Tensor images) { return model->forward(images); }, data, 4, torch::kCPU);
    ASSERT_EQ(folded.count, 10);
    EXPECT_EQ(folded.predictions, unfolded.predictions);
    EXPECT_LT((folded.logits - unfolded.logits).abs().max().item<double>(), 1e-4);
    EXPECT_NEAR(folded.loss, unfolded.loss, 1e-5);
}

} // namespace
} // namespace graft
