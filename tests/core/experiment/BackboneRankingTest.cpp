#include "common/AtomicFile.h"
#include "data/SyntheticShapes.h"
#include "experiment/BackboneRanking.h"
#include "models/Architectures.h"
#include "models/Classifier.h"
#include "models/Weights.h"
#include "project/ProjectFile.h"
#include "train/TrainingSession.h"

#include "ScriptModule.h"
#include "TempDir.h"

#include <gtest/gtest.h>

namespace graft {
namespace {

std::filesystem::path shapesProject(const std::filesystem::path& dir) {
    const auto project = dir / "shapes.graft";
    Database db = createProject(project);
    importSyntheticShapes(db, 30, 7);
    return project;
}

TEST(BackboneRanking, WeightsTrainedOnTheTaskRankAboveRandomOnesAndABrokenFileIsReportedLast) {
    testing::TempDir dir;
    const auto project = shapesProject(dir.path());
    TrainingRequest training;
    training.project = project;
    training.config.epochs = 4;
    training.config.batchSize = 16;
    training.saveWeightsTo = dir / "trained.pt";
    TrainObserver quiet;
    const auto trained = runTraining(training, quiet, {});
    torch::manual_seed(1);
    writeFileAtomically(dir / "random.pt", serializeWeights(*createClassifier(architectureSpec("tinynet"), 3)));
    writeFileAtomically(dir / "broken.pt", std::string_view("not weights"));

    std::int64_t lastDone = 0, total = 0;
    const auto ranks = rankBackbones(project,
                                     {{"random", "tinynet", dir / "random.pt", std::nullopt},
                                      {"broken", "tinynet", dir / "broken.pt", std::nullopt},
                                      {"trained", "tinynet", dir / "trained.pt", std::nullopt}},
                                     [&](const Progress& progress) {
                                         lastDone = progress.done;
                                         total = progress.total;
                                     },
                                     {});
    ASSERT_EQ(ranks.size(), 3u);
    EXPECT_EQ(ranks[0].name, "trained");
    EXPECT_EQ(ranks[1].name, "random");
    EXPECT_GT(ranks[0].logMe, ranks[1].logMe);
    ASSERT_TRUE(ranks[0].leep && ranks[1].leep);
    EXPECT_GT(*ranks[0].leep, *ranks[1].leep);
    EXPECT_EQ(ranks[0].images, trained.trainImages);
    EXPECT_GT(ranks[0].seconds, 0);
    EXPECT_EQ(ranks[2].name, "broken");
    EXPECT_NE(ranks[2].error.find("broken.pt"), std::string::npos) << ranks[2].error;
    EXPECT_EQ(total, 3 * trained.trainImages);
    EXPECT_EQ(lastDone, 3 * trained.trainImages) << "the broken file counts no images, the others all of theirs";
}

TEST(BackboneRanking, ImportedScriptsAreScoredByLogMeAloneAndPixelsBeatNoise) {
    testing::TempDir dir;
    const auto project = shapesProject(dir.path());
    const auto cache = dir / "cache";
    testing::importPixelsAndNoiseBackbones(dir.path(), cache);

    const auto candidates = cachedBackbones(cache);
    ASSERT_EQ(candidates.size(), 2u);
    EXPECT_TRUE(candidates[0].arch.starts_with("script:")) << candidates[0].arch;
    ASSERT_TRUE(cachedBackbone("pixels", cache).has_value());
    EXPECT_EQ(cachedBackbone("pixels", cache)->weights, (candidates[0].name == "pixels" ? candidates[0] : candidates[1]).weights);
    EXPECT_FALSE(cachedBackbone("absent", cache).has_value());
    const auto ranks = rankBackbones(project, candidates, {}, {});
    ASSERT_EQ(ranks.size(), 2u);
    EXPECT_EQ(ranks[0].name, "pixels") << ranks[0].error;
    EXPECT_TRUE(ranks[0].error.empty() && ranks[1].error.empty()) << ranks[0].error << ranks[1].error;
    EXPECT_GT(ranks[0].logMe, ranks[1].logMe);
    EXPECT_FALSE(ranks[0].leep.has_value()) << "a feature extractor has no source classes to score LEEP on";
}

} // namespace
} // namespace graft
