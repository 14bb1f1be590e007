#include "train/FixMatchLoss.h"

#include "PythonReference.h"
#include "TensorRows.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <fstream>
#include <vector>

namespace graft {
namespace {

using testing::tensorRows;

TEST(FixMatchLoss, KeepsOnlyConfidentPseudoLabelsAndAveragesOverTheWholeBatch) {
    // Top probabilities of the weak views: 0.99995 (kept), 0.73 (dropped), 0.99995 for class 1 (kept).
    const auto weak = torch::tensor({10.0f, 0.0f, 1.0f, 0.0f, 0.0f, 10.0f}).reshape({3, 2}).requires_grad_(true);
    const auto strong = torch::tensor({0.5f, 0.2f, 3.0f, -1.0f, 0.1f, 0.4f}).reshape({3, 2}).requires_grad_(true);
    const auto result = fixMatchUnlabelledLoss(weak, strong, 0.95);
    EXPECT_TRUE(torch::equal(result.mask, torch::tensor({1.0f, 0.0f, 1.0f})));
    EXPECT_TRUE(torch::equal(result.labels, torch::tensor({0, 0, 1}, torch::kLong)));
    EXPECT_NEAR(result.keptShare(), 2.0 / 3, 1e-6); // a float32 mean
    const auto crossEntropy = [](float chosen, float other) { return -chosen + std::log(std::exp(chosen) + std::exp(other)); };
    EXPECT_NEAR(result.loss.item<double>(), (crossEntropy(0.5f, 0.2f) + crossEntropy(0.4f, 0.1f)) / 3, 1e-6)
        << "the dropped image counts in the mean with zero loss";
    result.loss.backward();
    EXPECT_FALSE(weak.grad().defined()) << "the pseudo-labels are targets: no gradient through the weak view";
    EXPECT_TRUE(torch::equal(strong.grad()[1], torch::zeros({2}))) << "a dropped image teaches nothing";
}

TEST(FixMatchLoss, EqualsTheFixMatchReferenceOnARandomBatch) {
    torch::manual_seed(3);
    const auto weak = torch::randn({16, 10}) * 4; // sharp enough that some rows pass 0.95 and some do not
    const auto strong = torch::randn({16, 10}).requires_grad_(true);
    const auto result = fixMatchUnlabelledLoss(weak, strong, 0.95);
    const double kept = result.keptShare();
    ASSERT_GT(kept, 0.0);
    ASSERT_LT(kept, 1.0);
    result.loss.backward();

    testing::TempDir dir;
    std::ofstream(dir / "input.json") << nlohmann::json{{"weak", tensorRows(weak)}, {"strong", tensorRows(strong.detach())}, {"threshold", 0.95}}.dump();
    const auto reference = testing::pythonReferenceJson(FIXMATCH_REFERENCE_SCRIPT, (dir / "input.json").string());
    EXPECT_NEAR(result.loss.item<double>(), reference.at("loss").get<double>(), 1e-5);
    for (std::int64_t i = 0; i < 16; ++i) {
        EXPECT_EQ(result.mask[i].item<float>(), reference.at("mask")[std::size_t(i)].get<float>()) << "image " << i;
        EXPECT_EQ(result.labels[i].item<std::int64_t>(), reference.at("labels")[std::size_t(i)].get<std::int64_t>()) << "image " << i;
        for (std::int64_t c = 0; c < 10; ++c)
            EXPECT_NEAR(strong.grad()[i][c].item<double>(), reference.at("gradient")[std::size_t(i)][std::size_t(c)].get<double>(), 1e-5);
    }
}

TEST(FixMatchLoss, RefusesViewsOfDifferentShapes) {
    EXPECT_THROW(fixMatchUnlabelledLoss(torch::zeros({4, 3}), torch::zeros({4, 2}), 0.95), std::exception);
    EXPECT_THROW(fixMatchUnlabelledLoss(torch::zeros({4}), torch::zeros({4}), 0.95), std::exception);
}

} // namespace
} // namespace graft
