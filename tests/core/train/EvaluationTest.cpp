#include "train/Evaluation.h"

#include "data/ImageDecoding.h"
#include "models/Architectures.h"

#include "Images.h"
#include "RandomStatistics.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

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

// Batches decoded as they are needed, on loader threads, give the numbers of the whole set
// decoded into memory first: the same preprocessing, the same batches.
TEST(Evaluation, EncodedImagesDecodedBatchByBatchGiveTheNumbersOfTheirTensors) {
    auto model = testing::classifierWithRandomStatistics("tinynet", 3);
    const auto spec = architectureSpec("tinynet").preprocess;
    std::vector<std::vector<std::uint8_t>> encoded;
    std::vector<torch::Tensor> pixels;
    cv::setRNGSeed(5);
    for (int i = 0; i < 11; ++i) {
        const cv::Mat image = testing::randomImage(30 + i, 41 - i, 1); // sizes that resize and crop differently
        cv::imencode(".png", image, encoded.emplace_back());
        pixels.push_back(preprocessForEval(decodeImage(encoded.back(), spec.color), spec));
    }
    const auto labels = torch::randint(0, 3, {11}, torch::kLong);
    const auto inMemory = evaluate(*model, LabeledTensors{torch::stack(pixels), labels}, 4, torch::kCPU);
    const auto streamed = evaluateEncoded(*model, ImageBytesInMemory(encoded), labels, spec, 4, torch::kCPU);
    ASSERT_EQ(streamed.count, 11);
    EXPECT_TRUE(torch::equal(streamed.logits, inMemory.logits));
    EXPECT_EQ(streamed.predictions, inMemory.predictions);
    EXPECT_EQ(streamed.loss, inMemory.loss);
}

} // namespace
} // namespace graft
