#include "train/BatchNormRecalibration.h"

#include "RanksAsThreads.h"

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

// Two trainable BatchNorm layers in a row: the second sees what the first normalised batch by batch.
struct TwoNormalisedConvolutions : torch::nn::Module {
    TwoNormalisedConvolutions() {
        first = register_module("first", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 4, 3)));
        firstNorm = register_module("first_norm", torch::nn::BatchNorm2d(4));
        second = register_module("second", torch::nn::Conv2d(torch::nn::Conv2dOptions(4, 4, 3)));
        secondNorm = register_module("second_norm", torch::nn::BatchNorm2d(4));
    }
    torch::Tensor forward(torch::Tensor x) { return secondNorm(second(torch::relu(firstNorm(first(x))))); }
    std::shared_ptr<TwoNormalisedConvolutions> copy() {
        auto copied = std::make_shared<TwoNormalisedConvolutions>();
        torch::NoGradGuard noGrad;
        const auto from = parameters(), to = copied->parameters();
        for (std::size_t i = 0; i < from.size(); ++i) to[i].copy_(from[i]);
        const auto fromBuffers = buffers(), toBuffers = copied->buffers();
        for (std::size_t i = 0; i < fromBuffers.size(); ++i) toBuffers[i].copy_(fromBuffers[i]);
        return copied;
    }
    torch::nn::Conv2d first{nullptr}, second{nullptr};
    torch::nn::BatchNorm2d firstNorm{nullptr}, secondNorm{nullptr};
};
using Model = std::shared_ptr<TwoNormalisedConvolutions>;

// Runs batches [first, last) of 16 of `images` through the model, one per call.
std::function<bool()> batchesOf(Model model, const torch::Tensor& images, std::int64_t first, std::int64_t last, int& calls) {
    return [model, images, first, last, &calls] {
        const auto batch = first + calls;
        if (batch >= last) return false;
        ++calls;
        model->forward(images.slice(0, batch * 16, (batch + 1) * 16));
        return true;
    };
}

struct Sharing {
    std::int64_t images;
    std::vector<int> batchesPerRank;
};
void PrintTo(const Sharing& sharing, std::ostream* out) { *out << sharing.images << " images"; }

class BatchNormRecalibrationOverRanks : public ::testing::TestWithParam<Sharing> {};

// Three ranks each pass their share of the batches of 16 (whole batches, as a data-parallel run's
// do) and pool what their layers saw: every rank ends with what one process passing every batch
// gets, the second layer's statistics too. 100 images: shares of 2, 2 and 3 batches, the last one
// short; 20: rank 0 passes none.
TEST_P(BatchNormRecalibrationOverRanks, EveryRankEndsWithTheStatisticsOfOneProcessPassingEveryBatch) {
    const auto [count, expectedShares] = GetParam();
    torch::manual_seed(0);
    auto alone = std::make_shared<TwoNormalisedConvolutions>();
    alone->train();
    {
        torch::NoGradGuard noGrad;
        for (int i = 0; i < 3; ++i) alone->forward(torch::randn({16, 1, 10, 10})); // stale statistics of other data
    }
    const auto half = count / 2;
    const auto images = torch::cat({torch::randn({half, 1, 10, 10}), torch::randn({count - half, 1, 10, 10}) * 2 + 4});
    const std::int64_t batches = (count + 15) / 16;
    std::vector<Model> ranks = {alone->copy(), alone->copy(), alone->copy()};
    int calls = 0;
    ASSERT_TRUE(recalibrateBatchNorm(*alone, batchesOf(alone, images, 0, batches, calls), {}));

    auto groups = testing::joinAll(3);
    std::vector<int> passed(3, 0), complete(3, 0); // not vector<bool>: the ranks write theirs at once
    testing::onEveryRank(groups, [&](ProcessGroup& group) {
        const auto rank = std::size_t(group.rank());
        ranks[rank]->train();
        complete[rank] = recalibrateBatchNorm(*ranks[rank],
                                              batchesOf(ranks[rank], images, batches * group.rank() / 3,
                                                        batches * (group.rank() + 1) / 3, passed[rank]),
                                              {}, BatchNormLayers::Trainable, &group);
    });
    EXPECT_EQ(passed, expectedShares);
    for (std::size_t rank = 0; rank < 3; ++rank) {
        EXPECT_TRUE(complete[rank]);
        for (const auto layer : {&TwoNormalisedConvolutions::firstNorm, &TwoNormalisedConvolutions::secondNorm}) {
            const auto& mine = *((*ranks[rank]).*layer);
            const auto& reference = *((*alone).*layer);
            EXPECT_TRUE(torch::allclose(mine.running_mean, reference.running_mean, 1e-5, 1e-6))
                << "rank " << rank << mine.running_mean << reference.running_mean;
            EXPECT_TRUE(torch::allclose(mine.running_var, reference.running_var, 1e-5, 1e-6))
                << "rank " << rank << mine.running_var << reference.running_var;
            EXPECT_EQ(mine.num_batches_tracked.item<std::int64_t>(), batches);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Gloo, BatchNormRecalibrationOverRanks,
                         ::testing::Values(Sharing{100, {2, 2, 3}}, Sharing{20, {0, 1, 1}}));

// A stop on one rank ends every rank's pass unused, each keeping the statistics it had.
TEST(BatchNormRecalibration, AStopOnOneRankPutsEveryRanksStatisticsBack) {
    torch::manual_seed(0);
    auto model = std::make_shared<TwoNormalisedConvolutions>();
    model->train();
    {
        torch::NoGradGuard noGrad;
        model->forward(torch::randn({16, 1, 10, 10}));
    }
    const auto mean = model->firstNorm->running_mean.clone();
    const auto images = torch::randn({64, 1, 10, 10}) + 5;
    std::vector<Model> ranks = {model->copy(), model->copy()};
    std::stop_source stopped;
    stopped.request_stop();
    auto groups = testing::joinAll(2);
    std::vector<int> passed(2, 0), complete(2, 1);
    testing::onEveryRank(groups, [&](ProcessGroup& group) {
        const auto rank = std::size_t(group.rank());
        ranks[rank]->train();
        complete[rank] = recalibrateBatchNorm(*ranks[rank], batchesOf(ranks[rank], images, 2 * group.rank(), 2 * group.rank() + 2, passed[rank]),
                                              rank == 1 ? stopped.get_token() : std::stop_token(), BatchNormLayers::Trainable, &group);
    });
    EXPECT_EQ(passed, (std::vector<int>{2, 0}));
    for (std::size_t rank = 0; rank < 2; ++rank) {
        EXPECT_FALSE(complete[rank]) << "rank " << rank;
        EXPECT_TRUE(torch::equal(ranks[rank]->firstNorm->running_mean, mean)) << "rank " << rank;
    }
}

} // namespace
} // namespace graft
