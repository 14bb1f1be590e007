#include "explain/ImageTryout.h"

#include "common/Error.h"
#include "data/SyntheticShapes.h"
#include "experiment/ExperimentRunner.h"
#include "export/Bundle.h"
#include "metrics/Unfamiliarity.h"
#include "models/Prediction.h"
#include "project/ProjectFile.h"
#include "train/RunEvaluation.h"
#include "train/RunModel.h"

#include "ScriptModule.h"
#include "ShapesProject.h"
#include "TempDir.h"
#include "TrainedShapesRun.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

namespace graft {
namespace {

using testing::TrainedShapesRun;

std::vector<std::uint8_t> noisePng(int size, int seed) {
    cv::Mat noise(size, size, CV_8UC1);
    cv::theRNG().state = std::uint64_t(seed);
    cv::randu(noise, 0, 256);
    std::vector<std::uint8_t> png;
    cv::imencode(".png", noise, png);
    return png;
}

TEST_F(TrainedShapesRun, ARunAndItsExportedBundleSeeNewImagesAlike) {
    const auto folder = dir_ / "bundle";
    exportRunBundle(project(), runId_, folder, {}, {});
    const auto fromRun = ImageTryout::ofRun(project(), runId_);
    const auto fromBundle = ImageTryout::ofBundle(folder);
    EXPECT_EQ(fromRun.heldOutImages(), 6);
    EXPECT_EQ(fromBundle.heldOutImages(), 6);
    EXPECT_FALSE(fromRun.unfamiliarBelow() || fromBundle.unfamiliarBelow()) << "6 held-out images are too few to flag by";

    Database db = openProject(project(), ProjectAccess::ReadOnly);
    const auto run = loadRunModel(db, runId_, "run");
    for (const auto& image : generateShapes(2, 99)) {
        const auto a = fromRun.tryImage(image.label, image.png), b = fromBundle.tryImage(image.label, image.png);
        ASSERT_TRUE(a.error.empty() && b.error.empty()) << a.error << b.error;
        // predict's own path, from the same checkpoint: models/Prediction.
        const auto expected = predictTopK(*run.model, run.architecture.preprocess, decodeImage(image.png, ColorMode::Gray), 3,
                                          run.spec.classes);
        ASSERT_EQ(a.top.size(), 3u);
        for (std::size_t rank = 0; rank < 3; ++rank) {
            EXPECT_EQ(a.top[rank].label, expected[rank].label);
            EXPECT_NEAR(a.top[rank].probability, expected[rank].probability, 1e-5);
            EXPECT_EQ(b.top[rank].label, expected[rank].label);
            EXPECT_NEAR(b.top[rank].probability, expected[rank].probability, 1e-5);
        }
        EXPECT_NEAR(a.familiarity, expected[0].probability, 1e-5);
        EXPECT_LE(cv::norm(a.heatMap, b.heatMap, cv::NORM_INF), 1) << "the bundle's weights run natively for Grad-CAM";
        EXPECT_EQ(a.heatMap.size(), cv::Size(28, 28));
    }
}

// 30 held-out images of each split: enough for a 5th percentile.
TEST(ImageTryout, AnImageLessSureThanTheHeldOutFifthPercentileIsFlagged) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 100);
    const auto runId = testing::trainRun(project, 1, 32);
    const auto tryout = ImageTryout::ofRun(project, runId);
    Database db = openProject(project, ProjectAccess::ReadOnly);
    ProjectStore store(db);
    const auto heldOut = evaluateRun(project, runId, heldOutSplit(store)).confidences;
    ASSERT_GE(heldOut.size(), std::size_t(kFewestHeldOutToFlagUnfamiliar));
    EXPECT_EQ(tryout.heldOutImages(), std::int64_t(heldOut.size()));
    const double threshold = torch::quantile(torch::tensor(heldOut, torch::kFloat64), 0.05).item<double>();
    ASSERT_TRUE(tryout.unfamiliarBelow().has_value());
    EXPECT_NEAR(*tryout.unfamiliarBelow(), threshold, 1e-9);
    // The held-out images themselves: those under their own 5th percentile, and only those.
    int flagged = 0, expectedFlags = 0;
    for (const auto& image : store.labeledImagesInSplit(heldOutSplit(store))) {
        const auto result = tryout.tryImage(image.sha256, store.imageBytes(image.sha256));
        EXPECT_EQ(result.unfamiliar, result.familiarity < threshold) << result.familiarity;
        flagged += result.unfamiliar ? 1 : 0;
    }
    for (const double confidence : heldOut) expectedFlags += confidence < threshold ? 1 : 0;
    EXPECT_GE(expectedFlags, 1) << "the least sure held-out image lies under the 5th percentile";
    EXPECT_EQ(flagged, expectedFlags);
    for (int seed = 0; seed < 4; ++seed) { // noise: flagged by the same rule, whatever the model makes of it
        const auto result = tryout.tryImage("noise", noisePng(28, seed));
        EXPECT_EQ(result.unfamiliar, result.familiarity < threshold) << result.familiarity;
    }
}

// An imported extractor is one opaque block: its classes still come, without a heat map.
TEST(ImageTryout, ATorchScriptBackboneGivesItsClassesWithoutAHeatMap) {
    testing::TempDir dir;
    setenv("GRAFT_CACHE_DIR", (dir / "cache").c_str(), 1);
    testing::importPixelsAndNoiseBackbones(dir.path(), dir / "cache");
    const auto project = testing::createShapesProject(dir / "shapes.graft", 10);
    TrainingRequest request;
    request.project = project;
    request.config.arch = "script:pixels";
    request.config.epochs = 1;
    request.config.batchSize = 8;
    TrainObserver quiet;
    const auto runId = runTraining(request, quiet, {}).runId;
    const auto tryout = ImageTryout::ofRun(project, runId);
    const auto image = generateShapes(1, 3).front();
    const auto result = tryout.tryImage(image.label, image.png);
    unsetenv("GRAFT_CACHE_DIR");
    EXPECT_TRUE(result.error.empty()) << result.error;
    EXPECT_EQ(result.top.size(), 3u);
    EXPECT_TRUE(result.heatMap.empty());
    EXPECT_EQ(result.viewed.size(), cv::Size(32, 32));
}

TEST_F(TrainedShapesRun, ACorruptImageIsNamedInsteadOfThrown) {
    const auto tryout = ImageTryout::ofRun(project(), runId_);
    const std::vector<std::uint8_t> junk = {'n', 'o', 't'};
    const auto result = tryout.tryImage("holiday.jpg", junk);
    EXPECT_TRUE(result.error.starts_with("holiday.jpg: ")) << result.error;
    EXPECT_TRUE(result.top.empty());
}

TEST_F(TrainedShapesRun, ABundleThatNamesNoArchitectureIsRefusedNamingIt) {
    const auto folder = dir_ / "bundle";
    exportRunBundle(project(), runId_, folder, {}, {});
    auto metrics = nlohmann::json::parse(testing::readFile(folder / "metrics.json"));
    metrics.erase("arch");
    testing::writeFile(folder / "metrics.json", metrics.dump());
    try {
        ImageTryout::ofBundle(folder);
        FAIL() << "no architecture, no Grad-CAM";
    } catch (const Error& error) {
        EXPECT_EQ(std::string(error.what()), folder.string() + ": its metrics.json names no architecture, so its blocks are unknown");
    }
}

} // namespace
} // namespace graft
