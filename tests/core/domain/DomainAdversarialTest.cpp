#include "domain/DomainClassifier.h"
#include "domain/GradientReversal.h"

#include <gtest/gtest.h>
#include <torch/nn/modules/linear.h>

#include <cmath>

namespace graft {
namespace {

struct Gradients {
    torch::Tensor backbone, head;
};

// A linear "backbone" under a domain classifier; the domain loss's gradients on both, with the
// features passed through `between` (gradient reversal or nothing).
Gradients domainLossGradients(const std::function<torch::Tensor(torch::Tensor)>& between) {
    torch::manual_seed(2);
    torch::nn::Linear backbone(5, 4);
    DomainClassifier classifier(4, 8);
    const auto source = torch::randn({6, 5}), target = torch::randn({6, 5}) + 1.0;
    const auto features = between(backbone(torch::cat({source, target})));
    const auto logits = classifier(features);
    domainClassificationLoss(logits.narrow(0, 0, 6), logits.narrow(0, 6, 6)).backward();
    return {backbone->weight.grad().clone(), classifier->parameters().front().grad().clone()};
}

TEST(GradientReversal, TheBackboneReceivesMinusLambdaTimesTheDomainLossGradient) {
    const double lambda = 0.37;
    const auto plain = domainLossGradients([](torch::Tensor x) { return x; });
    const auto reversed = domainLossGradients([&](torch::Tensor x) { return reverseGradient(x, lambda); });
    ASSERT_GT(plain.backbone.abs().max().item<double>(), 1e-4) << "the check needs a gradient to reverse";
    EXPECT_TRUE(torch::allclose(reversed.backbone, -lambda * plain.backbone, 1e-6, 1e-7));
    EXPECT_TRUE(torch::allclose(reversed.head, plain.head, 1e-6, 1e-7)) << "the classifier itself learns as usual";
}

TEST(GradientReversal, IsTheIdentityGoingForward) {
    const auto x = torch::randn({3, 4});
    EXPECT_TRUE(torch::equal(reverseGradient(x, 0.8), x));
}

TEST(GradientReversal, WeightFollowsDannsScheduleFromZeroToAlmostOne) {
    EXPECT_DOUBLE_EQ(gradientReversalWeight(0.0), 0.0);
    EXPECT_NEAR(gradientReversalWeight(0.5), 2.0 / (1.0 + std::exp(-5.0)) - 1.0, 1e-15);
    EXPECT_NEAR(gradientReversalWeight(1.0), 2.0 / (1.0 + std::exp(-10.0)) - 1.0, 1e-15);
    EXPECT_DOUBLE_EQ(gradientReversalWeight(2.0), gradientReversalWeight(1.0)) << "progress is clamped";
}

TEST(DomainClassifier, LossIsTheMeanOfEachDomainsBinaryCrossEntropy) {
    const auto source = torch::tensor({0.3, -1.2}), target = torch::tensor({2.0, 0.1, -0.4});
    const auto logSigmoid = [](double z) { return -std::log1p(std::exp(-z)); };
    const double sourceTerm = -(logSigmoid(0.3) + logSigmoid(-1.2)) / 2;                    // label 1
    const double targetTerm = -(logSigmoid(-2.0) + logSigmoid(-0.1) + logSigmoid(0.4)) / 3; // label 0
    EXPECT_NEAR(domainClassificationLoss(source, target).item<double>(), 0.5 * (sourceTerm + targetTerm), 1e-6); // float32
}

TEST(DomainClassifier, HasTwoHiddenLayersWithBatchNormAndOneLogitPerImage) {
    DomainClassifier classifier(16, 32);
    EXPECT_EQ(classifier(torch::randn({5, 16})).sizes(), (std::vector<std::int64_t>{5}));
    int norms = 0, linears = 0;
    for (const auto& module : classifier->modules(false)) {
        norms += module->name() == "torch::nn::BatchNorm1dImpl";
        linears += module->name() == "torch::nn::LinearImpl";
    }
    EXPECT_EQ(norms, 2);
    EXPECT_EQ(linears, 3);
}

} // namespace
} // namespace graft
