#include "common/Error.h"
#include "data/Splits.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"
#include "project/TaskStore.h"
#include "train/MultiTaskLoss.h"
#include "train/RunEvaluation.h"
#include "train/RunSpec.h"
#include "train/TrainingInputs.h"
#include "train/TrainingSession.h"

#include "ResumedRun.h"
#include "TempDir.h"
#include "TrainingObservers.h"
#include "TwoTaskShapes.h"

#include <gtest/gtest.h>

#include <set>

namespace graft {
namespace {

class TwoTaskShapes : public ::testing::Test {
protected:
    void SetUp() override { testing::createTwoTaskShapesProject(project(), 50); }
    std::filesystem::path project() const { return dir_ / "shapes.graft"; }

    TrainingRequest request(const std::string& tasks, int epochs = 3) const {
        TrainingRequest request;
        request.project = project();
        request.config.epochs = epochs;
        request.config.batchSize = 32;
        request.config.learningRate = 3e-3;
        request.config.tasks = tasks;
        return request;
    }

    testing::TempDir dir_;
};

TEST_F(TwoTaskShapes, ASharedBackboneLearnsBothTasksAndEachTaskHasItsOwnFigures) {
    TrainObserver quiet;
    const auto result = runTraining(request("class,corners"), quiet, {});
    ASSERT_EQ(result.status, RunStatus::Finished);
    EXPECT_EQ(result.trainImages, 120) << "every image labelled in some task trains";

    Database db = openProject(project(), ProjectAccess::ReadOnly);
    RunStore runs(db);
    const auto spec = RunSpec::fromJson(runs.run(result.runId).configJson);
    ASSERT_EQ(spec.tasks.size(), 2u);
    EXPECT_EQ(spec.tasks[1].name, "corners");
    EXPECT_EQ(spec.tasks[1].classes.size(), 2u);
    EXPECT_EQ(spec.classes.size(), 5u) << "the heads' classes, one task after the other";
    const auto shapes = runs.metric(result.runId, "val_accuracy/class");
    const auto corners = runs.metric(result.runId, "val_accuracy/corners");
    const auto mean = runs.metric(result.runId, "val_accuracy");
    ASSERT_EQ(shapes.size(), 3u);
    ASSERT_EQ(corners.size(), 3u);
    EXPECT_NEAR(mean.back().value, (shapes.back().value + corners.back().value) / 2, 1e-12) << "the tasks' mean";
    EXPECT_EQ(runs.metric(result.runId, "task_weight/corners").back().value, 1.0);
    EXPECT_GT(shapes.back().value, 0.5) << "three shapes: chance is a third";
    EXPECT_GT(corners.back().value, 0.6) << "two classes: chance is a half";

    // Each task is judged on its own head and its own labels: the test images labelled in it.
    const auto judgedCorners = evaluateRun(project(), result.runId, Split::Test, {}, TemperatureFit::None, "corners");
    EXPECT_EQ(judgedCorners.report.classes.size(), 2u);
    EXPECT_EQ(judgedCorners.images, std::int64_t(ProjectStore(db, *TaskStore(db).find("corners")).labeledImagesInSplit(Split::Test).size()));
    const auto judgedShapes = evaluateRun(project(), result.runId, Split::Test, {}, TemperatureFit::None, "class");
    EXPECT_EQ(judgedShapes.images, std::int64_t(ProjectStore(db).labeledImagesInSplit(Split::Test).size()));
    EXPECT_EQ(judgedShapes.report.classes.size(), 3u);
    try {
        evaluateRun(project(), result.runId, Split::Test);
        FAIL() << "a multi-task run was judged without naming a task";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("learnt the tasks class, corners: name the one to evaluate"), std::string::npos)
            << error.what();
    }
}

// The heads are rows of one head Linear, so a frozen backbone's features are cached as for one
// head, and only the heads train.
TEST_F(TwoTaskShapes, AFrozenBackboneIsCachedOnceAndOnlyTheHeadsTrain) {
    auto frozen = request("class,corners", 2);
    frozen.config.freeze = "probe";
    frozen.config.featureCacheBudgetBytes = 1; // the project's feature store, which says so in the log
    testing::LogLines log;
    const auto result = runTraining(frozen, log, {});
    ASSERT_EQ(result.status, RunStatus::Finished);
    EXPECT_TRUE(log.has("keeping them in the project")) << "the frozen blocks' features were not cached";
    Database db = openProject(project(), ProjectAccess::ReadOnly);
    RunStore runs(db);
    EXPECT_EQ(runs.metric(result.runId, "val_accuracy/corners").size(), 2u);
    const auto checkpoint = runs.checkpoint(result.runId, CheckpointKind::Last);
    ASSERT_TRUE(checkpoint);
    EXPECT_TRUE(checkpoint->frozen) << "the frozen backbone is stored apart, as for one head";
}

TEST_F(TwoTaskShapes, ARunOfTheSecondTaskAloneTrainsOnItsLabels) {
    TrainObserver quiet;
    const auto result = runTraining(request("corners"), quiet, {});
    ASSERT_EQ(result.status, RunStatus::Finished);
    Database db = openProject(project(), ProjectAccess::ReadOnly);
    EXPECT_EQ(result.trainImages, std::int64_t(ProjectStore(db, *TaskStore(db).find("corners")).labeledImagesInSplit(Split::Train).size()))
        << "the training images with a corners label";
    EXPECT_LT(result.trainImages, 100);
    const auto spec = RunSpec::fromJson(RunStore(db).run(result.runId).configJson);
    EXPECT_TRUE(spec.tasks.empty());
    EXPECT_EQ(std::set<std::string>(spec.classes.begin(), spec.classes.end()), (std::set<std::string>{"round", "angular"}));
    const auto judged = evaluateRun(project(), result.runId, Split::Test);
    EXPECT_EQ(judged.report.classes.size(), 2u);
    EXPECT_THROW(evaluateRun(project(), result.runId, Split::Test, {}, TemperatureFit::None, "class"), Error);
}

// A label budget keeps, in each task, the labels a run of that task alone keeps: multi-task and
// single-task arms of one trial learn from the same labels.
TEST_F(TwoTaskShapes, ALabelBudgetKeepsEachTasksLabelsThatItsOwnRunKeeps) {
    TrainObserver quiet;
    Database db = openProject(project(), ProjectAccess::ReadOnly);
    auto config = request("class,corners").config;
    config.labelsPerClass = 4;
    config.seed = 7;
    const auto both = prepareTrainingInputs(project(), db, config, quiet);
    for (std::int64_t task = 0; task < 2; ++task) {
        auto alone = config;
        alone.tasks = task == 0 ? "class" : "corners";
        const auto single = prepareTrainingInputs(project(), db, alone, quiet);
        const auto column = both.trainSet.labels.select(1, task);
        const auto labelled = column.ne(kNoLabel);
        EXPECT_EQ(labelled.sum().item<std::int64_t>(), single.trainSet.size()) << alone.tasks;
        EXPECT_TRUE(torch::equal(torch::bincount(column.masked_select(labelled)), torch::bincount(single.trainSet.labels)))
            << alone.tasks << ": the same classes, as often";
    }
    EXPECT_EQ(both.trainFingerprint.size(), 64u);
}

TEST_F(TwoTaskShapes, UncertaintyWeightsLearnAndAStoppedRunResumesOnTheUnbrokenCurve) {
    TrainObserver quiet;
    auto config = request("class,corners");
    config.config.taskWeights = "uncertainty";
    config.config.checkpointMinutes = 0;
    const auto unbroken = runTraining(config, quiet, {});
    ASSERT_EQ(unbroken.status, RunStatus::Finished);
    testing::StopAfterSteps stopper(6); // mid-epoch 2 (4 steps an epoch)
    const auto stopped = runTraining(config, stopper, stopper.source.get_token());
    ASSERT_EQ(stopped.status, RunStatus::Cancelled);
    ASSERT_EQ(testing::resumedToTheEnd(project(), stopped.runId).status, RunStatus::Finished);

    const auto expected = testing::recordedMetrics(project(), unbroken.runId);
    const auto actual = testing::recordedMetrics(project(), stopped.runId);
    ASSERT_EQ(actual.size(), expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i) {
        EXPECT_EQ(std::get<0>(actual[i]), std::get<0>(expected[i]));
        EXPECT_NEAR(std::get<2>(actual[i]), std::get<2>(expected[i]), 1e-6) << std::get<0>(actual[i]) << " at step " << std::get<1>(actual[i]);
    }
    Database db = openProject(project(), ProjectAccess::ReadOnly);
    const auto weights = RunStore(db).metric(unbroken.runId, "task_weight/corners");
    ASSERT_EQ(weights.size(), 3u);
    EXPECT_NE(weights.back().value, 1.0) << "uncertainty weighting moved the task's weight from exp(0)";
}

TEST_F(TwoTaskShapes, ATaskWithoutTwoTrainedClassesIsRefusedByName) {
    {
        Database db = openProject(project());
        ProjectStore quality(db, TaskStore(db).ensure("quality"));
        quality.setLabel(quality.catalog().front().sha256, quality.ensureClass("sharp"));
    }
    TrainObserver quiet;
    try {
        runTraining(request("class,quality"), quiet, {});
        FAIL();
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("task 'quality' needs labelled training images of at least two classes"),
                  std::string::npos) << error.what();
    }
    try {
        runTraining(request("class,severity"), quiet, {});
        FAIL();
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("no task 'severity' (tasks: class, corners, quality)"), std::string::npos)
            << error.what();
    }
}

} // namespace
} // namespace graft
