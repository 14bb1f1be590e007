#include "models/TinyNet.h"
#include "project/ProjectFile.h"
#include "train/ProjectFeatureStore.h"
#include "train/FeatureCache.h"
#include "train/Trainer.h"

#include "ShapesData.h"
#include "TempDir.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace graft {
namespace {

class LossRecorder : public TrainObserver {
public:
    void onStep(const StepEvent& event) override { losses.push_back(event.loss); }
    void onEpoch(const EpochEvent& event) override { valLosses.push_back(event.valLoss); }
    void onLog(std::string_view message) override { logs.emplace_back(message); }
    std::vector<double> losses;
    std::vector<double> valLosses;
    std::vector<std::string> logs;
};

struct RunResult {
    LossRecorder recorded;
    std::size_t cachedBlocks = 0;
};

RunResult trainTinyNet(const std::string& freeze, bool featureCache, std::int64_t budgetBytes = 1 << 30,
                       const std::filesystem::path& project = {}, std::uint64_t initSeed = 0) {
    torch::manual_seed(initSeed);
    auto model = std::make_shared<TinyNetImpl>(1, 3);
    TrainConfig config;
    config.epochs = 2;
    config.batchSize = 16;
    config.freeze = freeze;
    config.featureCache = featureCache;
    config.featureCacheBudgetBytes = budgetBytes;
    RunResult result;
    Trainer trainer(model, config, torch::kCPU);
    if (!project.empty()) trainer.storeLargeFeaturesIn(project);
    trainer.train(testing::shapesTensors(20, 1), testing::shapesTensors(6, 2), result.recorded, {});
    result.cachedBlocks = trainer.cachedBlocks();
    return result;
}

TEST(FeatureCache, CachedTrainingGivesTheSameLossesAsRunningTheWholeNetwork) {
    const auto cached = trainTinyNet("upto:stage2", true);
    const auto whole = trainTinyNet("upto:stage2", false);
    EXPECT_EQ(cached.cachedBlocks, 3u); // stem, stage1, stage2
    EXPECT_EQ(whole.cachedBlocks, 0u);
    ASSERT_EQ(cached.recorded.losses.size(), whole.recorded.losses.size());
    for (std::size_t i = 0; i < cached.recorded.losses.size(); ++i)
        EXPECT_NEAR(cached.recorded.losses[i], whole.recorded.losses[i], 1e-5) << "step " << i + 1;
    ASSERT_EQ(cached.recorded.valLosses.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) EXPECT_NEAR(cached.recorded.valLosses[i], whole.recorded.valLosses[i], 1e-5);
}

// TinyNet on augmented shapes, frozen up to stage2, with `views` cached augmented views.
RunResult trainAugmented(int views) {
    std::vector<std::vector<std::uint8_t>> encoded;
    std::vector<std::int64_t> labels;
    const std::map<std::string, std::int64_t> classIds = {{"circle", 0}, {"square", 1}, {"triangle", 2}};
    for (auto& image : generateShapes(12, 4)) {
        labels.push_back(classIds.at(image.label));
        encoded.push_back(std::move(image.png));
    }
    torch::manual_seed(0);
    TrainConfig config;
    config.epochs = 2;
    config.batchSize = 8;
    config.freeze = "upto:stage2";
    config.augment = "crop:0.6,flip:0.5,rotate:10,brightness:0.2";
    config.augmentedViews = views;
    RunResult result;
    Trainer trainer(std::make_shared<TinyNetImpl>(1, 3), config, torch::kCPU);
    const ImageBytesInMemory encodedImages(std::move(encoded));
    trainer.trainFromEncoded(encodedImages, architectureSpec("tinynet").preprocess);
    trainer.train({torch::Tensor(), torch::tensor(labels, torch::kLong)}, testing::shapesTensors(4, 2), result.recorded, {});
    result.cachedBlocks = trainer.cachedBlocks();
    return result;
}

TEST(FeatureCache, KCachedAugmentedViewsTrainLikeTheFirstKEpochsOfFreshAugmentation) {
    const auto fresh = trainAugmented(0), twoViews = trainAugmented(2), oneView = trainAugmented(1);
    EXPECT_EQ(fresh.cachedBlocks, 0u) << "augmentation turns the cache off unless views are asked for";
    EXPECT_EQ(twoViews.cachedBlocks, 3u);
    const auto& expected = fresh.recorded.losses;
    ASSERT_EQ(expected.size(), 10u); // 36 images in batches of 8, twice
    ASSERT_EQ(twoViews.recorded.losses.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i)
        EXPECT_NEAR(twoViews.recorded.losses[i], expected[i], 1e-5) << "step " << i + 1;
    // One view serves both epochs: the second sees the first epoch's augmentation again.
    for (std::size_t i = 0; i < 5; ++i) EXPECT_NEAR(oneView.recorded.losses[i], expected[i], 1e-5);
    double difference = 0;
    for (std::size_t i = 5; i < 10; ++i) difference += std::abs(oneView.recorded.losses[i] - expected[i]);
    EXPECT_GT(difference, 1e-3);
}

TEST(FeatureCache, FeaturesOverTheMemoryBudgetAreKeptInTheProjectAndReusedByLaterRuns) {
    testing::TempDir dir;
    const auto project = dir / "p.graft";
    createProject(project);
    const auto whole = trainTinyNet("upto:stage2", false);
    const auto first = trainTinyNet("upto:stage2", true, 1, project);
    EXPECT_EQ(first.cachedBlocks, 3u);
    ASSERT_EQ(first.recorded.losses.size(), whole.recorded.losses.size());
    for (std::size_t i = 0; i < whole.recorded.losses.size(); ++i)
        EXPECT_NEAR(first.recorded.losses[i], whole.recorded.losses[i], 1e-5) << "step " << i + 1;
    for (std::size_t i = 0; i < 2; ++i) EXPECT_NEAR(first.recorded.valLosses[i], whole.recorded.valLosses[i], 1e-5);
    EXPECT_EQ(ProjectFeatureStore(project).storedSets(), 2); // training and validation

    const auto second = trainTinyNet("upto:stage2", true, 1, project);
    EXPECT_EQ(std::count(second.recorded.logs.begin(), second.recorded.logs.end(),
                         "Reusing the frozen blocks' features stored in the project"),
              2);
    EXPECT_EQ(second.recorded.losses, first.recorded.losses);

    const auto otherWeights = trainTinyNet("upto:stage2", true, 1, project, 7);
    EXPECT_EQ(std::count(otherWeights.recorded.logs.begin(), otherWeights.recorded.logs.end(),
                         "Reusing the frozen blocks' features stored in the project"),
              0);
    EXPECT_EQ(ProjectFeatureStore(project).storedSets(), 4);
}

TEST(FeatureCache, LinearProbeCachesEverythingUpToTheHeadIncludingPooling) {
    EXPECT_EQ(trainTinyNet("probe", true).cachedBlocks, 5u); // stem, stage1-3, pool
    EXPECT_EQ(trainTinyNet("gradual:1", true).cachedBlocks, 0u); // the frozen prefix changes
    EXPECT_EQ(trainTinyNet("none", true).cachedBlocks, 0u);
}

TEST(FeatureCache, FeaturesLargerThanTheBudgetAreNotCached) {
    // 78 training and validation images, 32 x 28 x 28 floats (100 KB) each after the stem: 7.8 MB.
    EXPECT_EQ(trainTinyNet("upto:stem", true, 1 << 20).cachedBlocks, 0u);
    EXPECT_EQ(trainTinyNet("upto:stem", true, 1 << 24).cachedBlocks, 1u);
}

TEST(FeatureCache, ReusesFeaturesUntilTheFrozenWeightsOrTheInputsChange) {
    torch::manual_seed(0);
    TinyNetImpl model(1, 3);
    const auto blocks = model.blocks();
    const auto inputs = testing::shapesTensors(4, 1).images;
    FeatureCache cache;
    const auto first = cache.features(model, blocks, 2, inputs, "", 8, torch::kCPU);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->sizes(), torch::IntArrayRef({inputs.size(0), 32, 14, 14})); // after stage1's pooling
    cache.features(model, blocks, 2, inputs, "", 8, torch::kCPU);
    EXPECT_EQ(cache.hits(), 1);

    // The head is not part of the cached prefix: changing it changes nothing cached.
    torch::NoGradGuard noGrad;
    model.named_parameters()["head.weight"].add_(1.0f);
    cache.features(model, blocks, 2, inputs, "", 8, torch::kCPU);
    EXPECT_EQ(cache.hits(), 2);

    model.named_parameters()["stage1.0.weight"].mul_(1.001f); // a frozen weight
    cache.features(model, blocks, 2, inputs, "", 8, torch::kCPU);
    EXPECT_EQ(cache.misses(), 2);
    model.named_buffers()["stem.1.running_mean"].add_(0.01f); // a frozen statistic
    cache.features(model, blocks, 2, inputs, "", 8, torch::kCPU);
    EXPECT_EQ(cache.misses(), 3);
    cache.features(model, blocks, 2, inputs * 0.5, "", 8, torch::kCPU); // other preprocessing
    EXPECT_EQ(cache.misses(), 4);
    EXPECT_EQ(cache.hits(), 2);
}

// Project images come with a key from their stored SHA-256s and the preprocessing, so the tensors'
// bytes need not be hashed: the key alone decides.
TEST(FeatureCache, AKeyForTheInputsStandsForTheirBytes) {
    torch::manual_seed(0);
    TinyNetImpl model(1, 3);
    const auto blocks = model.blocks();
    const auto inputs = testing::shapesTensors(4, 1).images;
    FeatureCache cache;
    const auto first = cache.features(model, blocks, 2, inputs, "images-a", 8, torch::kCPU);
    const auto again = cache.features(model, blocks, 2, inputs * 0.5, "images-a", 8, torch::kCPU);
    ASSERT_TRUE(first && again);
    EXPECT_EQ(cache.hits(), 1);
    EXPECT_TRUE(torch::equal(*first, *again));
    cache.features(model, blocks, 2, inputs, "images-b", 8, torch::kCPU);
    EXPECT_EQ(cache.misses(), 2) << "another key is other inputs";
    cache.features(model, blocks, 2, inputs.slice(0, 0, 4), "images-a", 8, torch::kCPU);
    EXPECT_EQ(cache.misses(), 3) << "the same key for another number of images";
    EXPECT_NE(FeatureCache::keyFor(model, blocks, 2, inputs, "images-a"), FeatureCache::keyFor(model, blocks, 2, inputs, ""));
}

TEST(FeatureCache, StopRequestReturnsNothingAndCachesNothing) {
    TinyNetImpl model(1, 3);
    std::stop_source stop;
    stop.request_stop();
    FeatureCache cache;
    EXPECT_FALSE(cache.features(model, model.blocks(), 2, testing::shapesTensors(2, 1).images, "", 4, torch::kCPU,
                                stop.get_token()));
    EXPECT_EQ(cache.bytes(), 0);
}

} // namespace
} // namespace graft
