// Semi-supervised runs (FixMatch) and the weight average, through runTraining as every front end
// calls it: determinism, exact resume with the unlabelled stream, the kept-share metric, the pool.
#include "common/Error.h"
#include "data/SyntheticShapes.h"
#include "models/Weights.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"
#include "train/CheckpointWeights.h"
#include "train/TrainingInputs.h"
#include "train/TrainingSession.h"

#include "ShapesProject.h"
#include "TempDir.h"
#include "ResumedRun.h"
#include "TrainingObservers.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

namespace graft {
namespace {

// Shapes with half of the training split's labels removed: the unlabelled pool.
class ShapesWithUnlabelledPool : public ::testing::Test {
protected:
    void SetUp() override {
        testing::createShapesProject(project(), 30, 4);
        testing::unlabelHalfTheTrainingImages(project());
        Database db = openProject(project(), ProjectAccess::ReadOnly);
        poolSize_ = ProjectStore(db).unlabeledCount();
    }
    std::filesystem::path project() const { return dir_ / "shapes.graft"; }

    TrainingRequest fixMatch(int epochs) const {
        TrainingRequest request;
        request.project = project();
        request.config.epochs = epochs;
        request.config.batchSize = 8;
        request.config.learningRate = 3e-3;
        request.config.semiSupervised = "fixmatch";
        request.config.unlabelledRatio = 2;
        request.config.confidenceThreshold = 0.7;
        return request;
    }

    std::vector<std::tuple<std::string, std::int64_t, double>> metricsOf(std::int64_t run) const {
        return testing::recordedMetrics(project(), run);
    }

    testing::TempDir dir_;
    std::int64_t poolSize_ = 0;
};

using testing::LogLines;
using testing::StopAfterSteps;

TEST_F(ShapesWithUnlabelledPool, FixMatch_SameSeedGivesBitIdenticalMetrics) {
    TrainObserver quiet;
    auto request = fixMatch(2);
    request.config.augment = "crop:0.8,rotate:10";
    const auto first = runTraining(request, quiet, {});
    const auto second = runTraining(request, quiet, {});
    const auto a = metricsOf(first.runId);
    EXPECT_GT(a.size(), 10u);
    EXPECT_EQ(a, metricsOf(second.runId)); // exact: no tolerance
}

TEST_F(ShapesWithUnlabelledPool, FixMatch_LearnsFromThePoolAndRecordsTheKeptShareEveryEpoch) {
    LogLines log;
    auto keepAll = fixMatch(2);
    keepAll.config.confidenceThreshold = 0; // every pseudo-label kept
    const auto run = runTraining(keepAll, log, {});
    EXPECT_TRUE(log.has("unlabelled pool: " + std::to_string(poolSize_) + " images"));
    Database db = openProject(project(), ProjectAccess::ReadOnly);
    const auto kept = RunStore(db).metric(run.runId, "unlabelled_kept_share");
    ASSERT_EQ(kept.size(), 2u);
    for (const auto& point : kept) EXPECT_EQ(point.value, 1.0);

    auto keepNone = fixMatch(1);
    keepNone.config.confidenceThreshold = 1.0; // no softmax of 3 classes reaches 1 after a few steps
    const auto none = runTraining(keepNone, log, {});
    const auto keptNone = RunStore(db).metric(none.runId, "unlabelled_kept_share");
    ASSERT_EQ(keptNone.size(), 1u);
    EXPECT_EQ(keptNone.front().value, 0.0);

    auto supervised = fixMatch(1);
    supervised.config.semiSupervised = "none";
    const auto plain = runTraining(supervised, log, {});
    EXPECT_TRUE(RunStore(db).metric(plain.runId, "unlabelled_kept_share").empty());
}

TEST_F(ShapesWithUnlabelledPool, FixMatch_TheUnlabelledTermChangesTheWeights) {
    TrainObserver quiet;
    auto weighted = fixMatch(1);
    weighted.config.confidenceThreshold = 0;
    auto unweighted = weighted;
    unweighted.config.unlabelledWeight = 0;
    const auto a = runTraining(weighted, quiet, {}), b = runTraining(unweighted, quiet, {});
    // Both runs see the same batches in the same forward passes (BatchNorm included): only the
    // unlabelled term's gradient can set their weights apart.
    Database db = openProject(project(), ProjectAccess::ReadOnly);
    RunStore runs(db);
    auto withTerm = createInitialModel(weighted.config, 3).model, withoutTerm = createInitialModel(weighted.config, 3).model;
    loadAllWeights(*withTerm, runs.checkpoint(a.runId, CheckpointKind::Last)->weights, "weighted");
    loadAllWeights(*withoutTerm, runs.checkpoint(b.runId, CheckpointKind::Last)->weights, "unweighted");
    const auto first = withTerm->named_parameters(), second = withoutTerm->named_parameters();
    int differing = 0;
    for (const auto& item : first) differing += torch::equal(item.value(), second[item.key()]) ? 0 : 1;
    EXPECT_GT(differing, 0);
    EXPECT_EQ(runs.metric(a.runId, "unlabelled_kept_share").front().value, 1.0);
}

// 15 labelled training images at batch 8: 2 steps an epoch. Step 3 stops mid-epoch 2, after
// the unlabelled stream has moved on; the resumed run must draw the same unlabelled batches.
TEST_F(ShapesWithUnlabelledPool, FixMatch_StoppedMidEpochResumesOnTheUnbrokenLossCurve) {
    TrainObserver quiet;
    auto request = fixMatch(3);
    request.config.checkpointMinutes = 0;
    request.config.emaDecay = 0.9; // the average travels in the training state
    const auto unbroken = runTraining(request, quiet, {});
    StopAfterSteps stopper(3);
    const auto stopped = runTraining(request, stopper, stopper.source.get_token());
    ASSERT_EQ(stopped.status, RunStatus::Cancelled);
    EXPECT_EQ(stopper.seen, 3) << "a stop ends the run before the next batch";

    ASSERT_EQ(testing::resumedToTheEnd(project(), stopped.runId).status, RunStatus::Finished);
    Database db = openProject(project(), ProjectAccess::ReadOnly);
    RunStore runs(db);
    for (const auto* metric : {"loss", "val_loss", "unlabelled_kept_share", "train_loss"}) {
        const auto a = runs.metric(unbroken.runId, metric), b = runs.metric(stopped.runId, metric);
        ASSERT_EQ(a.size(), b.size()) << metric;
        ASSERT_FALSE(a.empty()) << metric;
        for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i].value, b[i].value, 1e-5) << metric << " at step " << a[i].step;
    }
}

TEST_F(ShapesWithUnlabelledPool, FixMatch_WithFrozenBlocksSaysWhyTheFeatureCacheIsOffAndKeepsThemFixed) {
    LogLines log;
    auto request = fixMatch(1);
    request.config.freeze = "upto:stage1";
    const auto run = runTraining(request, log, {});
    EXPECT_TRUE(log.has("Not caching the frozen blocks' features: the unlabelled images' weak and strong views"));

    auto initial = createInitialModel(request.config, 3).model;
    auto trained = createInitialModel(request.config, 3).model;
    Database db = openProject(project(), ProjectAccess::ReadOnly);
    loadCheckpointWeights(*trained, *RunStore(db).checkpoint(run.runId, CheckpointKind::Last), "last");
    const auto before = initial->named_parameters(), after = trained->named_parameters();
    int frozenChecked = 0, trainedChanged = 0;
    for (const auto& item : before) {
        const bool frozen = item.key().starts_with("stem") || item.key().starts_with("stage1");
        const bool same = torch::equal(item.value(), after[item.key()]);
        if (frozen) {
            EXPECT_TRUE(same) << item.key();
            ++frozenChecked;
        } else {
            trainedChanged += same ? 0 : 1;
        }
    }
    EXPECT_GT(frozenChecked, 0);
    EXPECT_GT(trainedChanged, 0);
}

TEST_F(ShapesWithUnlabelledPool, FixMatch_WithoutUnlabelledImagesIsRefusedNamingTheProject) {
    const auto labelled = dir_ / "all-labelled.graft";
    {
        Database db = createProject(labelled);
        importSyntheticShapes(db, 10, 4);
    }
    auto request = fixMatch(1);
    request.project = labelled;
    TrainObserver quiet;
    try {
        runTraining(request, quiet, {});
        FAIL() << "trained without an unlabelled pool";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find(labelled.string() + ": semi-supervised training needs unlabelled images"),
                  std::string::npos)
            << error.what();
    }
    Database db = openProject(labelled, ProjectAccess::ReadOnly);
    EXPECT_EQ(db.queryInt("SELECT COUNT(*) FROM runs"), 0) << "a refused run leaves no record";
}

TEST_F(ShapesWithUnlabelledPool, FixMatch_BeyondBudgetAlsoLearnsFromTheTrainingImagesTheBudgetLeavesOut) {
    LogLines log;
    auto request = fixMatch(1);
    request.config.labelsPerClass = 2;
    request.config.unlabelledPool = "beyond-budget";
    runTraining(request, log, {});
    Database db = openProject(project(), ProjectAccess::ReadOnly);
    ProjectStore store(db);
    const auto labelledTraining = std::int64_t(store.labeledImagesInSplit(Split::Train).size());
    const auto hidden = labelledTraining - 2 * 3;
    EXPECT_TRUE(log.has("unlabelled pool: " + std::to_string(poolSize_ + hidden) + " images"));
}

// One step a run, so the average is decay * initial + (1 - decay) * trained, parameter by parameter.
TEST_F(ShapesWithUnlabelledPool, WeightAverage_TheBestCheckpointHoldsTheAverageAndTheLastTheTrainedWeights) {
    TrainObserver quiet;
    TrainingRequest request;
    request.project = project();
    request.config.epochs = 1;
    request.config.batchSize = 64;
    request.config.emaDecay = 0.9;
    const auto run = runTraining(request, quiet, {});
    ASSERT_EQ(run.steps, 1);
    Database db = openProject(project(), ProjectAccess::ReadOnly);
    RunStore runs(db);
    auto initial = createInitialModel(request.config, 3).model;
    auto trained = createInitialModel(request.config, 3).model;
    auto averaged = createInitialModel(request.config, 3).model;
    loadAllWeights(*trained, runs.checkpoint(run.runId, CheckpointKind::Last)->weights, "last");
    loadAllWeights(*averaged, runs.checkpoint(run.runId, CheckpointKind::Best)->weights, "best");
    auto start = initial->named_parameters(), end = trained->named_parameters(), mean = averaged->named_parameters();
    int moved = 0;
    for (const auto& item : start) {
        const auto expected = 0.9 * item.value() + 0.1 * end[item.key()];
        EXPECT_TRUE(torch::allclose(mean[item.key()], expected, 1e-6, 1e-7)) << item.key();
        moved += torch::equal(item.value(), end[item.key()]) ? 0 : 1;
    }
    EXPECT_GT(moved, 0) << "the step must have changed weights for the test to mean anything";
}

} // namespace
} // namespace graft
