#include "train/Evaluation.h"

#include <gtest/gtest.h>

namespace graft {
namespace {

TEST(Evaluation, GivesEachPredictionItsSoftmaxProbabilityAndTheMeanCrossEntropy) {
    // Fixed logits per image, batched unevenly (batch 2 over 3 images).
    const auto logits = torch::tensor({{2.0f, 0.0f, 0.0f}, {0.0f, 1.0f, 3.0f}, {1.0f, 1.0f, 0.0f}});
    const auto labels = torch::tensor({0, 1, 1}, torch::kLong);
    const auto evaluation = evaluateRanges([&](std::int64_t begin, std::int64_t end) { return logits.slice(0, begin, end); },
                                           labels, 2, torch::kCPU);
    ASSERT_EQ(evaluation.count, 3);
    EXPECT_EQ(evaluation.predictions, (std::vector<std::int64_t>{0, 2, 0})) << "ties go to the first class";
    const double e = std::exp(1.0);
    const std::vector<double> expected = {e * e / (e * e + 2), e * e * e / (1 + e + e * e * e), e / (2 * e + 1)};
    ASSERT_EQ(evaluation.confidences.size(), 3u);
    for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(evaluation.confidences[i], expected[i], 1e-6) << i;
    EXPECT_NEAR(evaluation.accuracy, 1.0 / 3, 1e-12);
    const double loss = (-std::log(expected[0]) - std::log(e / (1 + e + e * e * e)) - std::log(e / (2 * e + 1))) / 3;
    EXPECT_NEAR(evaluation.loss, loss, 1e-6);
}

} // namespace
} // namespace graft
