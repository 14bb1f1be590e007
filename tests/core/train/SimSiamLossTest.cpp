#include "train/SimSiamLoss.h"

#include "common/Error.h"

#include "PythonReference.h"
#include "TensorRows.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fstream>
#include <vector>

namespace graft {
namespace {

using testing::tensorRows;

TEST(SimSiamLoss, IsMinusOneWhenEachPredictionPointsAlongTheOtherViewsProjection) {
    const auto z = torch::tensor({1.0f, 2.0f, -3.0f, 0.5f}).reshape({2, 2});
    EXPECT_NEAR(simSiamLoss(z * 3, z * 0.5, z, z).item<double>(), -1.0, 1e-6) << "cosine ignores length";
    EXPECT_NEAR(simSiamLoss(-z, -z, z, z).item<double>(), 1.0, 1e-6);
}

TEST(SimSiamLoss, SendsNoGradientThroughTheProjections) {
    torch::manual_seed(1);
    const auto p1 = torch::randn({4, 8}, torch::requires_grad()), p2 = torch::randn({4, 8}, torch::requires_grad());
    const auto z1 = torch::randn({4, 8}, torch::requires_grad()), z2 = torch::randn({4, 8}, torch::requires_grad());
    simSiamLoss(p1, p2, z1, z2).backward();
    EXPECT_TRUE(p1.grad().defined());
    EXPECT_TRUE(p2.grad().defined());
    EXPECT_FALSE(z1.grad().defined()) << "stop-gradient on z";
    EXPECT_FALSE(z2.grad().defined());
}

TEST(SimSiamLoss, RefusesViewsOfDifferentShapes) {
    const auto a = torch::zeros({4, 8}), b = torch::zeros({4, 7});
    EXPECT_THROW(simSiamLoss(a, a, a, b), Error);
}

TEST(SimSiamLoss, EqualsTheSimSiamReferenceOnARandomBatch) {
    torch::manual_seed(5);
    const auto p1 = torch::randn({12, 16}, torch::requires_grad()), p2 = torch::randn({12, 16}, torch::requires_grad());
    const auto z1 = torch::randn({12, 16}), z2 = torch::randn({12, 16});
    const auto loss = simSiamLoss(p1, p2, z1, z2);
    loss.backward();

    testing::TempDir dir;
    std::ofstream(dir / "input.json") << nlohmann::json{{"p1", tensorRows(p1.detach())}, {"p2", tensorRows(p2.detach())},
                                                        {"z1", tensorRows(z1)}, {"z2", tensorRows(z2)}}.dump();
    const auto reference = testing::pythonReferenceJson(SIMSIAM_REFERENCE_SCRIPT, (dir / "input.json").string());
    EXPECT_NEAR(loss.item<double>(), reference.at("loss").get<double>(), 1e-5);
    for (std::int64_t i = 0; i < 12; ++i)
        for (std::int64_t d = 0; d < 16; ++d) {
            EXPECT_NEAR(p1.grad()[i][d].item<double>(), reference.at("p1_gradient")[std::size_t(i)][std::size_t(d)].get<double>(), 1e-5);
            EXPECT_NEAR(p2.grad()[i][d].item<double>(), reference.at("p2_gradient")[std::size_t(i)][std::size_t(d)].get<double>(), 1e-5);
        }
}

} // namespace
} // namespace graft
