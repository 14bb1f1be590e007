#include "common/Error.h"
#include "metrics/Unfamiliarity.h"

#include "ErrorText.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <random>

namespace graft {
namespace {

// torch.quantile interpolates linearly between order statistics, as numpy.percentile does.
TEST(Unfamiliarity, ThresholdIsTheHeldOutPercentileAsTorchQuantileComputesIt) {
    std::mt19937 generator(3);
    std::uniform_real_distribution<double> confidence(0.3, 1.0);
    for (const int count : {1, 2, 7, 20, 101}) {
        std::vector<double> values(static_cast<std::size_t>(count));
        for (auto& value : values) value = confidence(generator);
        const auto quantile = torch::quantile(torch::tensor(values, torch::kFloat64), 0.05).item<double>();
        EXPECT_NEAR(unfamiliarBelow(values), quantile, 1e-12) << count;
        EXPECT_NEAR(unfamiliarBelow(values, 50), torch::quantile(torch::tensor(values, torch::kFloat64), 0.5).item<double>(), 1e-12);
    }
}

TEST(Unfamiliarity, NoHeldOutImagesIsAnError) {
    EXPECT_EQ(testing::errorOf([] { unfamiliarBelow({}); }), "an unfamiliarity threshold needs held-out images");
}

} // namespace
} // namespace graft
