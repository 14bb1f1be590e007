#include "common/Error.h"
#include "metrics/Calibration.h"

#include "ErrorText.h"
#include "PythonReference.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <memory>

namespace graft {
namespace {

struct LabelledLogits {
    torch::Tensor logits;
    torch::Tensor labels;
};

// A classifier that is right about 70 % of the time but too sure of itself, as small fine-tuned
// models are: logits four times sharper than its evidence.
LabelledLogits overconfident(std::int64_t n, std::int64_t classes, std::uint64_t seed) {
    torch::manual_seed(seed);
    const auto labels = torch::randint(classes, {n}, torch::kLong);
    const auto known = torch::rand({n}).lt(0.7);
    auto evidence = torch::randn({n, classes}, torch::kFloat64);
    evidence.index_put_({torch::arange(n), labels}, evidence.index({torch::arange(n), labels}) + known.to(torch::kFloat64) * 1.5);
    return {evidence * 4, labels};
}

nlohmann::json pythonReference(const LabelledLogits& data) {
    testing::TempDir dir;
    const auto csv = dir / "logits.csv";
    {
        std::unique_ptr<FILE, int (*)(FILE*)> out(std::fopen(csv.c_str(), "w"), std::fclose);
        for (std::int64_t i = 0; i < data.labels.size(0); ++i) {
            std::fprintf(out.get(), "%ld", long(data.labels[i].item<std::int64_t>()));
            for (std::int64_t k = 0; k < data.logits.size(1); ++k) std::fprintf(out.get(), ",%.17g", data.logits[i][k].item<double>());
            std::fprintf(out.get(), "\n");
        }
    }
    return testing::pythonReferenceJson(CALIBRATION_REFERENCE_SCRIPT, csv.string());
}

TEST(Calibration, EceAndTemperatureEqualAPythonReferenceOnFixedLogits) {
    const auto data = overconfident(600, 5, 3);
    const auto reference = pythonReference(data);
    const auto before = reliabilityOf(data.logits, data.labels);
    EXPECT_NEAR(before.ece, reference["ece"].get<double>(), 1e-6);
    ASSERT_EQ(before.bins.size(), 15u);
    for (std::size_t bin = 0; bin < 15; ++bin) EXPECT_EQ(before.bins[bin].count, reference["counts"][bin].get<std::int64_t>()) << bin;

    const double temperature = fitTemperature(data.logits, data.labels);
    EXPECT_NEAR(temperature, reference["temperature"].get<double>(), 1e-6);
    EXPECT_GT(temperature, 2) << "over-sharp logits need softening";
    EXPECT_NEAR(reliabilityOf(data.logits, data.labels, temperature).ece, reference["eceAfter"].get<double>(), 1e-6);
    EXPECT_NEAR(negativeLogLikelihood(data.logits, data.labels), reference["nll"].get<double>(), 1e-9);
    EXPECT_NEAR(negativeLogLikelihood(data.logits, data.labels, temperature), reference["nllAfter"].get<double>(), 1e-9);
}

TEST(Calibration, FittedTemperatureLowersTheNllItWasFittedOnAndIsItsMinimum) {
    const auto data = overconfident(400, 4, 11);
    const double temperature = fitTemperature(data.logits, data.labels);
    const double fitted = negativeLogLikelihood(data.logits, data.labels, temperature);
    EXPECT_LT(fitted, negativeLogLikelihood(data.logits, data.labels));
    for (const double factor : {0.99, 1.01})
        EXPECT_GT(negativeLogLikelihood(data.logits, data.labels, temperature * factor), fitted) << factor;
}

TEST(Calibration, UnderconfidentLogitsAreSharpened) {
    const auto data = overconfident(400, 4, 5);
    EXPECT_LT(fitTemperature(data.logits / 40, data.labels), 1);
}

TEST(Calibration, BinsSplitConfidenceIntoEqualWidthsAndWeighTheGapByCount) {
    // Two images at confidence 0.9 (one right), two at 0.6 (both right), with two classes.
    const double sure = std::log(0.9 / 0.1), unsure = std::log(0.6 / 0.4);
    const auto logits = torch::tensor({sure, 0.0, sure, 0.0, unsure, 0.0, unsure, 0.0}, torch::kFloat64).view({4, 2});
    const auto labels = torch::tensor({0, 1, 0, 0}, torch::kLong);
    const auto reliability = reliabilityOf(logits, labels, 1, 10);
    ASSERT_EQ(reliability.bins.size(), 10u);
    EXPECT_EQ(reliability.bins[8].count, 2);
    EXPECT_NEAR(reliability.bins[8].confidence, 0.9, 1e-12);
    EXPECT_NEAR(reliability.bins[8].accuracy, 0.5, 1e-12);
    EXPECT_EQ(reliability.bins[5].count, 2);
    EXPECT_NEAR(reliability.bins[5].accuracy, 1.0, 1e-12);
    EXPECT_NEAR(reliability.ece, 0.5 * 0.4 + 0.5 * 0.4, 1e-12);
}

TEST(Calibration, RefusesLogitsAndLabelsOfDifferentLengths) {
    EXPECT_EQ(testing::errorOf([] { fitTemperature(torch::zeros({3, 2}), torch::zeros({2}, torch::kLong)); }),
              "calibration needs N x K logits and N labels, N > 0");
}

} // namespace
} // namespace graft
