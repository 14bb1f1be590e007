#include "export/BatchNormFolding.h"

#include "RandomStatistics.h"

#include <gtest/gtest.h>

#include <map>

namespace graft {
namespace {

// Counts the operations that reach it.
class CountingGraph : public ExportGraph {
public:
    std::map<std::string, int> counts;

    std::string input() override { return "x"; }
    std::string conv2d(const std::string&, const torch::Tensor&, const torch::Tensor& bias, torch::IntArrayRef, torch::IntArrayRef,
                       torch::IntArrayRef, std::int64_t, const std::string&) override {
        return count(bias.defined() ? "conv with bias" : "conv");
    }
    std::string batchNorm(const std::string&, const torch::Tensor&, const torch::Tensor&, const torch::Tensor&,
                          const torch::Tensor&, double, const std::string&) override {
        return count("batch norm");
    }
    std::string relu(const std::string&) override { return count("other"); }
    std::string clamp(const std::string&, double, double) override { return count("other"); }
    std::string sigmoid(const std::string&) override { return count("other"); }
    std::string hardSigmoid(const std::string&) override { return count("other"); }
    std::string silu(const std::string&) override { return count("other"); }
    std::string hardswish(const std::string&) override { return count("other"); }
    std::string maxPool(const std::string&, torch::IntArrayRef, torch::IntArrayRef, torch::IntArrayRef, torch::IntArrayRef,
                        bool) override {
        return count("other");
    }
    std::string add(const std::string&, const std::string&) override { return count("other"); }
    std::string multiply(const std::string&, const std::string&) override { return count("other"); }
    std::string spatialMean(const std::string&) override { return count("other"); }
    std::string globalAveragePool(const std::string&) override { return count("other"); }
    std::string linear(const std::string&, const torch::Tensor&, const torch::Tensor&, const std::string&) override {
        return count("other");
    }
    std::string softmax(const std::string&) override { return count("other"); }

private:
    std::string count(const std::string& kind) {
        ++counts[kind];
        std::string name = "v"; // appended: gcc 12 at -O3 warns falsely on the prepend
        name += std::to_string(++values_);
        return name;
    }
    int values_ = 0;
};

TEST(BatchNormFolding, EveryBatchNormOfResNet18FoldsIntoTheConvolutionBeforeIt) {
    auto model = testing::classifierWithRandomStatistics("resnet18", 3);
    CountingGraph unfolded, counted;
    writeClassifier(*model, unfolded);
    BatchNormFolding folding(counted);
    folding.resolved(writeClassifier(*model, folding));
    EXPECT_EQ(unfolded.counts["batch norm"], 20);
    EXPECT_EQ(unfolded.counts["conv"], 20);
    EXPECT_EQ(counted.counts["batch norm"], 0);
    EXPECT_EQ(counted.counts["conv with bias"], 20);
    EXPECT_EQ(counted.counts["other"], unfolded.counts["other"]);
}

TEST(BatchNormFolding, AFoldedConvolutionComputesConvolutionThenBatchNorm) {
    torch::manual_seed(4);
    const auto weight = torch::randn({6, 3, 3, 3}), bias = torch::randn({6});
    const auto gamma = torch::rand({6}) + 0.5, beta = torch::randn({6}), mean = torch::randn({6}), var = torch::rand({6}) + 0.1;
    const auto x = torch::randn({2, 3, 9, 9});
    for (const auto& convBias : {bias, torch::Tensor()}) {
        const auto expected = torch::batch_norm(torch::conv2d(x, weight, convBias, 1, 1), gamma, beta, mean, var, false, 0.0, 1e-3, false);
        const auto [foldedWeight, foldedBias] = foldBatchNorm(weight, convBias, gamma, beta, mean, var, 1e-3);
        // float32 rounding of outputs up to about 50 in size
        EXPECT_TRUE(torch::allclose(torch::conv2d(x, foldedWeight, foldedBias, 1, 1), expected, 1e-5, 1e-5));
    }
}

} // namespace
} // namespace graft
