#include "domain/BatchNormShift.h"

#include "common/Error.h"
#include "models/Classifier.h"

#include <gtest/gtest.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/linear.h>

#include <cmath>

namespace graft {
namespace {

// Two BatchNorm layers, the first straight on the images and the second on its output doubled,
// so what each receives can be computed by hand.
class TwoNormsImpl : public ClassifierImpl {
public:
    TwoNormsImpl() {
        first = register_module("first", torch::nn::BatchNorm2d(2));
        second = register_module("second", torch::nn::BatchNorm2d(2));
        head = register_module("head", torch::nn::Linear(2, 3));
    }
    torch::Tensor forward(torch::Tensor images) override {
        for (auto& block : blocks()) images = block.forward(images);
        return images;
    }
    std::vector<NetworkBlock> blocks() override {
        return {moduleBlock("first", first),
                {"double", "Scale", {}, [](torch::Tensor x) { return 2 * x; }},
                moduleBlock("second", second),
                {"pool", "Pool", {}, [](torch::Tensor x) { return x.mean({2, 3}); }},
                moduleBlock("head", head)};
    }
    torch::nn::BatchNorm2d first{nullptr}, second{nullptr};
    torch::nn::Linear head{nullptr};
};

// Per channel: mean and unbiased variance of x[n][c][h][w] over n, h, w, by plain loops.
std::vector<std::pair<double, double>> channelMoments(const torch::Tensor& x) {
    const auto values = x.to(torch::kDouble).contiguous();
    const auto* data = values.data_ptr<double>();
    const auto n = x.size(0), c = x.size(1), hw = x.size(2) * x.size(3);
    std::vector<std::pair<double, double>> moments;
    for (std::int64_t channel = 0; channel < c; ++channel) {
        double sum = 0, squares = 0;
        for (std::int64_t i = 0; i < n; ++i)
            for (std::int64_t j = 0; j < hw; ++j) sum += data[(i * c + channel) * hw + j];
        const double mean = sum / double(n * hw);
        for (std::int64_t i = 0; i < n; ++i)
            for (std::int64_t j = 0; j < hw; ++j) squares += std::pow(data[(i * c + channel) * hw + j] - mean, 2);
        moments.push_back({mean, squares / double(n * hw - 1)});
    }
    return moments;
}

double handShift(const std::vector<std::pair<double, double>>& seen, const std::vector<double>& sourceMean,
                 const std::vector<double>& sourceVariance, double eps) {
    double total = 0;
    for (std::size_t c = 0; c < seen.size(); ++c) {
        const double vs = sourceVariance[c] + eps, vt = seen[c].second + eps;
        const double gap = seen[c].first - sourceMean[c];
        total += 0.25 * (vt / vs + vs / vt - 2) + 0.25 * gap * gap * (1 / vs + 1 / vt);
    }
    return total / double(seen.size());
}

TEST(BatchNormShift, EachBlocksShiftEqualsAHandComputationOverAllBatches) {
    auto model = std::make_shared<TwoNormsImpl>();
    {
        torch::NoGradGuard noGrad;
        model->first->running_mean.copy_(torch::tensor({0.5, -1.0}));
        model->first->running_var.copy_(torch::tensor({2.0, 0.25}));
    }
    torch::manual_seed(11);
    const auto images = torch::randn({5, 2, 3, 3}) * torch::tensor({1.0f, 3.0f}).view({1, 2, 1, 1}) + 0.2;
    int fed = 0;
    const auto shifts = batchNormShift(*model, [&] {
        if (fed >= 5) return false;
        const int count = fed == 0 ? 3 : 2; // two batches of unequal size
        model->forward(images.narrow(0, fed, count));
        fed += count;
        return true;
    }, {});

    const double eps = 1e-5;
    const double expectedFirst = handShift(channelMoments(images), {0.5, -1.0}, {2.0, 0.25}, eps);
    // In eval mode the first layer normalises by its stored statistics; the doubled result feeds the second.
    const auto normalised = 2 * (images - torch::tensor({0.5f, -1.0f}).view({1, 2, 1, 1})) /
                            torch::sqrt(torch::tensor({2.0f, 0.25f}).view({1, 2, 1, 1}) + float(eps));
    const double expectedSecond = handShift(channelMoments(normalised), {0.0, 0.0}, {1.0, 1.0}, eps);

    ASSERT_EQ(shifts.size(), 5u);
    EXPECT_EQ(shifts[0].block, "first");
    EXPECT_EQ(shifts[0].layers, 1);
    EXPECT_NEAR(shifts[0].shift, expectedFirst, 1e-5 * expectedFirst);
    EXPECT_EQ(shifts[1].layers, 0);
    EXPECT_EQ(shifts[2].layers, 1);
    EXPECT_NEAR(shifts[2].shift, expectedSecond, 1e-5 * expectedSecond);
    EXPECT_EQ(shifts[4].layers, 0);
    const std::string most = expectedFirst > expectedSecond ? "first" : "second";
    EXPECT_EQ(shiftReading(shifts), most + " shifts most: fine-tune from " + most + " on");
    // The measurement leaves the stored statistics alone.
    EXPECT_TRUE(torch::equal(model->first->running_mean, torch::tensor({0.5f, -1.0f})));
}

TEST(BatchNormShift, ImagesDrawnLikeTheStoredStatisticsShiftAlmostNothing) {
    auto model = std::make_shared<TwoNormsImpl>();
    {
        torch::NoGradGuard noGrad;
        model->first->running_mean.copy_(torch::tensor({1.0, -2.0}));
        model->first->running_var.copy_(torch::tensor({4.0, 0.5}));
        model->second->running_var.fill_(4.0); // the first layer's output, doubled
    }
    torch::manual_seed(5);
    const auto alike = torch::randn({400, 2, 4, 4}) * torch::tensor({2.0f, std::sqrt(0.5f)}).view({1, 2, 1, 1}) +
                       torch::tensor({1.0f, -2.0f}).view({1, 2, 1, 1});
    bool fed = false;
    const auto shifts = batchNormShift(*model, [&] {
        if (fed) return false;
        model->forward(alike);
        return fed = true;
    }, {});
    EXPECT_LT(shifts[0].shift, 1e-3);
    EXPECT_LT(shifts[2].shift, 1e-3);
}

TEST(BatchNormShift, StopAndNoImagesAreErrors) {
    auto model = std::make_shared<TwoNormsImpl>();
    EXPECT_THROW(batchNormShift(*model, [] { return false; }, {}), Error);
    std::stop_source stop;
    stop.request_stop();
    EXPECT_THROW(batchNormShift(*model, [] { return true; }, stop.get_token()), Error);
}

TEST(BatchNormShift, AModelWithoutBatchNormSaysSo) {
    const std::vector<BlockShift> none{{"conv", 0, 0}, {"head", 0, 0}};
    EXPECT_NE(shiftReading(none).find("no BatchNorm"), std::string::npos);
}

} // namespace
} // namespace graft
