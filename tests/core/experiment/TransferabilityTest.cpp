#include "experiment/Transferability.h"

#include "ErrorText.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>

namespace graft {
namespace {

// Four classes, 50 images each, 32-D features: class means apart, plus noise of `noise` size.
std::pair<torch::Tensor, torch::Tensor> clusteredFeatures(double noise, std::uint64_t seed) {
    torch::manual_seed(seed);
    const auto labels = torch::arange(200, torch::kLong).remainder(4);
    const auto means = torch::randn({4, 32}) * 3;
    return {means.index_select(0, labels) + noise * torch::randn({200, 32}), labels};
}

TEST(LogMe, SeparableFeaturesScoreAboveRandomOnesAndCleanerAboveNoisier) {
    const auto [clean, labels] = clusteredFeatures(0.5, 1);
    const auto [noisy, sameLabels] = clusteredFeatures(3.0, 1);
    torch::manual_seed(2);
    const auto random = torch::randn({200, 32}) * 3;
    const double cleanScore = logMe(clean, labels), noisyScore = logMe(noisy, sameLabels), randomScore = logMe(random, labels);
    EXPECT_GT(cleanScore, noisyScore);
    EXPECT_GT(noisyScore, randomScore);
    EXPECT_TRUE(std::isfinite(randomScore));
}

// logme_reference.py (numpy, float64, run here with Debian's numpy) on the same features.
double referenceLogMe(const torch::Tensor& features, const torch::Tensor& labels) {
    testing::TempDir dir;
    {
        std::ofstream csv(dir / "features.csv");
        csv.precision(17);
        const auto values = features.to(torch::kFloat64).contiguous();
        for (std::int64_t i = 0; i < values.size(0); ++i) {
            csv << labels[i].item<std::int64_t>();
            for (std::int64_t j = 0; j < values.size(1); ++j) csv << "," << values[i][j].item<double>();
            csv << "\n";
        }
    }
    const std::string command = std::string(GRAFT_REFERENCE_PYTHON) + " " + LOGME_REFERENCE_SCRIPT + " " + (dir / "features.csv").string();
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    double score = std::nan("");
    if (!pipe || std::fscanf(pipe.get(), "%lf", &score) != 1) ADD_FAILURE() << command << " printed no score";
    return score;
}

TEST(LogMe, MatchesANumpyReferenceOfThePapersAlgorithm) {
    const auto labels = torch::arange(60, torch::kLong).remainder(3);
    auto features = torch::empty({60, 8}, torch::kFloat64);
    for (int i = 0; i < 60; ++i)
        for (int j = 0; j < 8; ++j)
            features[i][j] = std::sin(i * 0.37 + j * 1.3) + (i % 3 == j % 3 ? 2.0 : 0.0);
    EXPECT_NEAR(logMe(features, labels), referenceLogMe(features, labels), 1e-9);
    // More images than dimensions, four classes, noisy: the updates run for several rounds.
    const auto [clustered, clusterLabels] = clusteredFeatures(2.0, 4);
    const auto doubles = clustered.to(torch::kFloat64);
    EXPECT_NEAR(logMe(doubles, clusterLabels), referenceLogMe(doubles, clusterLabels), 1e-9);
}

TEST(LogMe, IsUnchangedByTheOrderOfImages) {
    const auto [features, labels] = clusteredFeatures(1.0, 3);
    const auto order = torch::randperm(200, torch::kLong);
    EXPECT_NEAR(logMe(features.index_select(0, order), labels.index_select(0, order)), logMe(features, labels), 1e-9);
}

TEST(Leep, AOneToOneSourcePredictorScoresZeroAndAUniformOneScoresTheLogOfTheClassShare) {
    const auto labels = torch::arange(40, torch::kLong).remainder(4);
    // The source's class 2c+1 is target class c, with certainty.
    const auto sharp = torch::one_hot(labels * 2 + 1, 8).to(torch::kFloat32);
    EXPECT_NEAR(leep(sharp, labels), 0.0, 1e-12);
    const auto uniform = torch::full({40, 8}, 1.0 / 8);
    EXPECT_NEAR(leep(uniform, labels), std::log(0.25), 1e-12);
    EXPECT_GT(leep(0.5 * sharp + 0.5 * uniform, labels), leep(uniform, labels));
}

TEST(Transferability, MismatchedShapesAreRefused) {
    EXPECT_NE(testing::errorOf([] { logMe(torch::randn({5, 3}), torch::zeros({4}, torch::kLong)); }).find("N labels"),
              std::string::npos);
    EXPECT_NE(testing::errorOf([] { leep(torch::rand({5}), torch::zeros({5}, torch::kLong)); }).find("LEEP"),
              std::string::npos);
}

} // namespace
} // namespace graft
