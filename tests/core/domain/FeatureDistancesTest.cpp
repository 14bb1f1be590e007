#include "common/Error.h"
#include "domain/CoralLoss.h"
#include "domain/FeatureDistances.h"

#include "PythonReference.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace graft {
namespace {

nlohmann::json rowsJson(const torch::Tensor& rows) {
    auto json = nlohmann::json::array();
    const auto values = rows.to(torch::kDouble).contiguous();
    for (std::int64_t i = 0; i < values.size(0); ++i) {
        auto row = nlohmann::json::array();
        for (std::int64_t j = 0; j < values.size(1); ++j) row.push_back(values[i][j].item<double>());
        json.push_back(row);
    }
    return json;
}

struct TwoDomains {
    torch::Tensor a, b;
};

// Two overlapping Gaussian clouds with different means and covariances, so every distance is
// away from its extremes and a domain classifier errs on some held-out rows.
TwoDomains overlappingDomains() {
    torch::manual_seed(7);
    const auto a = torch::randn({61, 6}, torch::kDouble);
    const auto mixing = torch::eye(6, torch::kDouble) + 0.3 * torch::randn({6, 6}, torch::kDouble);
    const auto b = torch::randn({54, 6}, torch::kDouble).matmul(mixing) + 0.4;
    return {a, b};
}

nlohmann::json reference(const TwoDomains& domains) {
    testing::TempDir dir;
    std::ofstream(dir / "input.json") << nlohmann::json{{"a", rowsJson(domains.a)}, {"b", rowsJson(domains.b)}, {"l2", kDomainClassifierL2}}.dump();
    return testing::pythonReferenceJson(DOMAIN_DISTANCE_REFERENCE_SCRIPT, (dir / "input.json").string());
}

TEST(FeatureDistances, MmdFrechetAndProxyADistanceEqualNumpyScipyAndScikitLearn) {
    const auto domains = overlappingDomains();
    const auto expected = reference(domains);
    EXPECT_NEAR(linearMmd(domains.a, domains.b), expected["mmd"].get<double>(), 1e-9);
    EXPECT_NEAR(frechetDistance(domains.a, domains.b), expected["frechet"].get<double>(), 1e-6);
    const auto proxy = proxyADistance(domains.a, domains.b);
    EXPECT_EQ(proxy.heldOut, expected["held_out"].get<std::int64_t>());
    EXPECT_DOUBLE_EQ(proxy.error, expected["proxy_error"].get<double>());
    EXPECT_DOUBLE_EQ(proxy.distance, expected["proxy_distance"].get<double>());
    EXPECT_GT(proxy.error, 0.0) << "the clouds overlap, so the classifier must err somewhere";
    EXPECT_LT(proxy.error, 0.5);
}

TEST(CoralLoss, EqualsTheCovarianceGapOverFourDSquaredAsNumpyComputesIt) {
    const auto domains = overlappingDomains();
    const auto expected = reference(domains)["coral"].get<double>();
    EXPECT_NEAR(coralLoss(domains.a, domains.b).item<double>(), expected, 1e-6 * expected);
    EXPECT_NEAR(coralLoss(domains.a.to(torch::kFloat), domains.b.to(torch::kFloat)).item<double>(), expected, 1e-5 * expected);
    EXPECT_NEAR(coralLoss(domains.a, domains.a + 3.0).item<double>(), 0.0, 1e-12) << "a shift of the mean is not CORAL's business";
}

TEST(CoralLoss, GradientFlowsToBothDomains) {
    const auto domains = overlappingDomains();
    auto source = domains.a.clone().requires_grad_(), target = domains.b.clone().requires_grad_();
    coralLoss(source, target).backward();
    EXPECT_GT(source.grad().abs().sum().item<double>(), 0.0);
    EXPECT_GT(target.grad().abs().sum().item<double>(), 0.0);
}

TEST(FeatureDistances, IdenticalSetsAreAtDistanceZeroAndFarSetsAreSeparable) {
    torch::manual_seed(3);
    const auto a = torch::randn({40, 5}, torch::kDouble);
    EXPECT_NEAR(linearMmd(a, a), 0.0, 1e-12);
    EXPECT_NEAR(frechetDistance(a, a), 0.0, 1e-6);
    const auto far = proxyADistance(a, a + 20.0);
    EXPECT_EQ(far.error, 0.0);
    EXPECT_EQ(far.distance, 2.0);
    EXPECT_GT(linearMmd(a, a + 1.0), linearMmd(a, a + 0.5));
}

TEST(FeatureDistances, RefuseMismatchedWidthsAndSetsTooSmall) {
    const auto a = torch::zeros({4, 3}), b = torch::zeros({4, 2});
    EXPECT_THROW(linearMmd(a, b), Error);
    EXPECT_THROW(frechetDistance(torch::zeros({1, 3}), a), Error);
    EXPECT_THROW(proxyADistance(a, torch::zeros({1, 3})), Error);
}

} // namespace
} // namespace graft
