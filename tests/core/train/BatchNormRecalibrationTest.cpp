#include "train/BatchNormRecalibration.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <stop_token>

namespace graft {
namespace {

// conv -> trainable BatchNorm -> dropout -> frozen BatchNorm, as a fine-tuned block after a frozen one would be.
struct Layers : torch::nn::Module {
    Layers() {
        conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 4, 3)));
        trainable = register_module("trainable", torch::nn::BatchNorm2d(4));
        dropout = register_module("dropout", torch::nn::Dropout(0.5));
        frozen = register_module("frozen", torch::nn::BatchNorm2d(4));
    }
    torch::Tensor forward(torch::Tensor x) { return frozen(dropout(trainable(conv(x)))); }
    // Training mode, except the frozen BatchNorm (as setTrainingModes leaves a frozen block).
    void trainAsFineTuned() {
        train();
        frozen->eval();
    }
    torch::nn::Conv2d conv{nullptr};
    torch::nn::BatchNorm2d trainable{nullptr}, frozen{nullptr};
    torch::nn::Dropout dropout{nullptr};
};

// Runs batches of 16 of `images` through the layers, one per call.
std::function<bool()> batchesOf(Layers& layers, const torch::Tensor& images, int& calls) {
    return [&layers, images, &calls] {
        const auto begin = std::int64_t(calls) * 16;
        if (begin >= images.size(0)) return false;
        ++calls;
        layers.forward(images.slice(0, begin, begin + 16));
        return true;
    };
}

// Two classes of different brightness, walked class after class in batches of 16 with a short
// last one (as a labelled sample sorted by class is): the statistics must be those of the whole
// set at once. An average of per-batch figures misses the spread between the classes and weighs
// the last 6 images as much as 16.
TEST(BatchNormRecalibration, TrainableStatisticsBecomeThoseOfTheWholeSetInOneBatch) {
    torch::manual_seed(0);
    Layers layers;
    const auto images = torch::cat({torch::randn({35, 1, 8, 8}), torch::randn({35, 1, 8, 8}) * 2 + 4});
    layers.trainAsFineTuned();
    {
        torch::NoGradGuard noGrad;
        for (int i = 0; i < 5; ++i) layers.forward(torch::randn({16, 1, 8, 8})); // stale statistics of other data
    }
    const auto frozenMean = layers.frozen->running_mean.clone();
    int calls = 0;
    ASSERT_TRUE(recalibrateBatchNorm(layers, batchesOf(layers, images, calls), {}));
    EXPECT_EQ(calls, 5);

    // The reference: the per-channel mean and unbiased variance of the conv output over all 70 images.
    torch::NoGradGuard noGrad;
    const auto features = layers.conv(images).transpose(0, 1).reshape({4, -1}).to(torch::kDouble);
    const auto mean = features.mean(1).to(torch::kFloat), variance = features.var(1, /*unbiased=*/true).to(torch::kFloat);
    EXPECT_TRUE(torch::allclose(layers.trainable->running_mean, mean, 1e-5, 1e-5)) << layers.trainable->running_mean << mean;
    EXPECT_TRUE(torch::allclose(layers.trainable->running_var, variance, 1e-5, 1e-5)) << layers.trainable->running_var << variance;
    EXPECT_TRUE(torch::equal(layers.frozen->running_mean, frozenMean)) << "a frozen block keeps its statistics";
    EXPECT_EQ(layers.trainable->options.momentum(), 0.1) << "the momentum is as it was";
    EXPECT_FALSE(layers.is_training()) << "left in eval mode";
    EXPECT_FALSE(layers.trainable->is_training());
}

TEST(BatchNormRecalibration, DropoutDrawsNoRandomNumbersMeanwhile) {
    torch::manual_seed(0);
    Layers layers;
    layers.trainAsFineTuned();
    const auto inputs = torch::randn({32, 1, 8, 8});
    auto generator = at::detail::getDefaultCPUGenerator();
    const auto before = generator.get_state();
    int calls = 0;
    ASSERT_TRUE(recalibrateBatchNorm(layers, batchesOf(layers, inputs, calls), {}));
    EXPECT_TRUE(torch::equal(generator.get_state(), before)) << "dropout was in eval mode";
    layers.trainAsFineTuned();
    {
        torch::NoGradGuard noGrad;
        layers.forward(inputs);
    }
    EXPECT_FALSE(torch::equal(generator.get_state(), before)) << "in training mode the same pass draws";
}

TEST(BatchNormRecalibration, AStopPutsTheStatisticsBack) {
    torch::manual_seed(0);
    Layers layers;
    layers.trainAsFineTuned();
    {
        torch::NoGradGuard noGrad;
        layers.forward(torch::randn({16, 1, 8, 8}));
    }
    const auto mean = layers.trainable->running_mean.clone(), variance = layers.trainable->running_var.clone();
    std::stop_source stop;
    int calls = 0;
    const auto images = torch::randn({64, 1, 8, 8}) + 5;
    auto batches = batchesOf(layers, images, calls);
    const auto stopAfterTwo = [&] {
        const bool more = batches();
        if (calls == 2) stop.request_stop();
        return more;
    };
    EXPECT_FALSE(recalibrateBatchNorm(layers, stopAfterTwo, stop.get_token()));
    EXPECT_EQ(calls, 2);
    EXPECT_TRUE(torch::equal(layers.trainable->running_mean, mean));
    EXPECT_TRUE(torch::equal(layers.trainable->running_var, variance));
}

} // namespace
} // namespace graft
