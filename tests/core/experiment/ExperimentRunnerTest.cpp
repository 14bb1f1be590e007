#include "experiment/ExperimentComparison.h"
#include "experiment/ExperimentRunner.h"
#include "experiment/ExperimentSpec.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"
#include "train/RunSpec.h"
#include "train/TrainingSession.h"

#include "ErrorText.h"
#include "ShapesProject.h"
#include "TempDir.h"
#include "TrainedShapesRun.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace graft {
namespace {

class ShapesExperiment : public ::testing::Test {
protected:
    void SetUp() override {
        testing::createShapesProject(project(), 40, 3);
        testing::pretrainWeights(project(), dir_ / "pretrained.pt", 2, 16);
    }

    std::filesystem::path project() const { return dir_ / "shapes.graft"; }

    std::int64_t createExperiment() {
        const std::string spec = R"({"name": "shapes", "seeds": 2, "budgets": [3, "all"], "arms": [
            {"name": "transfer", "train": {"init": ")" + (dir_ / "pretrained.pt").string() +
                                 R"(", "epochs": 2, "batchSize": 16, "checkpointMinutes": 0}},
            {"name": "scratch", "train": {"epochs": 2, "batchSize": 16, "checkpointMinutes": 0}}]})";
        Database db = openProject(project());
        return ExperimentStore(db).create("shapes", ExperimentSpec::fromJson(spec).toJson());
    }

    testing::TempDir dir_;
};

class StopAfterSteps : public ExperimentObserver {
public:
    explicit StopAfterSteps(int steps) : steps_(steps) {}
    void onStep(const StepEvent&) override {
        if (++seen_ >= steps_) source.request_stop();
    }
    void onProgress(const ExperimentProgress& progress) override { last = progress; }
    std::stop_source source;
    ExperimentProgress last;

private:
    int steps_;
    int seen_ = 0;
};

TEST_F(ShapesExperiment, ArmsOfATrialTrainOnTheSameImagesAndFinishedTrialsAreNeverRedone) {
    const auto id = createExperiment();
    ExperimentObserver quiet;
    const auto first = runExperiment(project(), id, quiet, {});
    EXPECT_EQ(first.trained, 8); // 2 arms x 2 seeds x 2 budgets
    EXPECT_EQ(first.failed, 0);

    Database db = openProject(project());
    RunStore runs(db);
    for (const int budget : {3, 0})
        for (const std::uint64_t seed : {0u, 1u}) {
            const auto transfer = runs.trialRun(id, "transfer", seed, budget), scratch = runs.trialRun(id, "scratch", seed, budget);
            ASSERT_TRUE(transfer && scratch);
            EXPECT_EQ(RunSpec::fromJson(runs.run(*transfer).configJson).trainFingerprint,
                      RunSpec::fromJson(runs.run(*scratch).configJson).trainFingerprint)
                << "seed " << seed << ", budget " << budget;
            EXPECT_EQ(runs.metric(*transfer, kHeldOutAccuracy).size(), 1u);
        }
    EXPECT_NE(RunSpec::fromJson(runs.run(*runs.trialRun(id, "scratch", 0, 3)).configJson).trainFingerprint,
              RunSpec::fromJson(runs.run(*runs.trialRun(id, "scratch", 1, 3)).configJson).trainFingerprint)
        << "other seeds draw other images";

    const auto again = runExperiment(project(), id, quiet, {});
    EXPECT_EQ(again.trained, 0);
    EXPECT_EQ(again.skipped, 8);
}

// A kill, or a failed write, between a trial's training and its evaluation leaves a finished run
// with no held-out accuracy; the comparison would silently pair one seed fewer.
TEST_F(ShapesExperiment, AFinishedTrialMissingItsHeldOutAccuracyIsEvaluatedAgainNotRetrained) {
    const auto id = createExperiment();
    ExperimentObserver quiet;
    runExperiment(project(), id, quiet, {});
    std::int64_t unevaluated = 0;
    std::size_t runCount = 0;
    {
        Database db = openProject(project());
        RunStore runs(db);
        unevaluated = *runs.trialRun(id, "scratch", 1, 3);
        runCount = runs.runs().size();
        db.prepare("DELETE FROM metrics WHERE run_id = ? AND name = ?").bind(1, unevaluated).bind(2, kHeldOutAccuracy).run();
        const auto state = experimentState(db, id);
        EXPECT_EQ(state.finished, 7);
        EXPECT_EQ(state.left(), 1);
    }

    const auto again = runExperiment(project(), id, quiet, {});
    EXPECT_EQ(again.trained, 0);
    EXPECT_EQ(again.evaluated, 1);
    EXPECT_EQ(again.resumed, 0);
    EXPECT_EQ(again.skipped, 7);
    Database db = openProject(project());
    RunStore runs(db);
    EXPECT_EQ(runs.runs().size(), runCount) << "evaluating the finished run must not train a new one";
    EXPECT_EQ(*runs.trialRun(id, "scratch", 1, 3), unevaluated);
    EXPECT_EQ(runs.metric(unevaluated, kHeldOutAccuracy).size(), 1u);
    EXPECT_EQ(experimentState(db, id).finished, 8);
}

TEST_F(ShapesExperiment, TrialsSideBySideEachRunOnceAndOverlapInTime) {
    const auto id = createExperiment();
    StopAfterSteps observer(1000000);
    const auto summary = runExperiment(project(), id, observer, {}, 2);
    EXPECT_EQ(summary.trained, 8);
    EXPECT_EQ(summary.failed, 0);
    EXPECT_EQ(observer.last.runsDone, 8);
    EXPECT_EQ(observer.last.etaSeconds, 0.0);

    Database db = openProject(project());
    RunStore runs(db);
    const auto all = runs.runs();
    ASSERT_EQ(all.size(), 9u); // the pretraining run and one per trial
    for (const int budget : {3, 0})
        for (const std::uint64_t seed : {0u, 1u})
            for (const char* arm : {"transfer", "scratch"}) {
                const auto run = runs.trialRun(id, arm, seed, budget);
                ASSERT_TRUE(run);
                EXPECT_EQ(runs.run(*run).status, RunStatus::Finished);
                EXPECT_EQ(runs.metric(*run, kHeldOutAccuracy).size(), 1u);
            }
    // The first two trials start together: each began before the other ended.
    const auto& first = all[1];
    const auto& second = all[2];
    EXPECT_LT(first.startedAt, second.endedAt);
    EXPECT_LT(second.startedAt, first.endedAt);
}

// The domain-shift benchmark's yardstick: an arm with its own labels per class trains on that
// many at the "all" budget, and its trial is found, compared and never redone under that budget.
TEST_F(ShapesExperiment, AnArmsOwnLabelsPerClassCapTheTrialsBudget) {
    const std::string json = R"({"name": "capped", "seeds": 1, "budgets": ["all"], "arms": [
        {"name": "capped", "train": {"epochs": 1, "batchSize": 16, "labelsPerClass": 2}},
        {"name": "scratch", "train": {"epochs": 1, "batchSize": 16}}]})";
    std::int64_t id = 0;
    {
        Database db = openProject(project());
        id = ExperimentStore(db).create("capped", ExperimentSpec::fromJson(json).toJson());
    }
    ExperimentObserver quiet;
    EXPECT_EQ(runExperiment(project(), id, quiet, {}).trained, 2);
    Database db = openProject(project());
    RunStore runs(db);
    const auto capped = runs.trialRun(id, "capped", 0, 0), scratch = runs.trialRun(id, "scratch", 0, 0);
    ASSERT_TRUE(capped && scratch);
    EXPECT_EQ(RunSpec::fromJson(runs.run(*capped).configJson).config.labelsPerClass, 2);
    EXPECT_EQ(RunSpec::fromJson(runs.run(*scratch).configJson).config.labelsPerClass, 0);
    EXPECT_EQ(experimentState(db, id).left(), 0);
    EXPECT_EQ(runExperiment(project(), id, quiet, {}).trained, 0);
}

TEST(ExperimentRunner, TrialsSideBySideNeedAtLeastOneAtATime) {
    EXPECT_NE(testing::errorOf([] {
                  ExperimentObserver quiet;
                  testing::TempDir dir;
                  {
                      Database db = createProject(dir / "p.graft");
                      ExperimentStore(db).create("x", ExperimentSpec::fromJson(R"({"arms": [{"name": "a"}, {"name": "scratch"}]})").toJson());
                  }
                  runExperiment(dir / "p.graft", 1, quiet, {}, 0);
              }).find("at least 1"),
              std::string::npos);
}

TEST_F(ShapesExperiment, AStoppedExperimentResumesItsRunAndReportsProgress) {
    const auto id = createExperiment();
    // The four 3-label trials take 2 steps each (9 images: one step an epoch); step 11 is the 3rd of
    // the first all-label trial's 6-step epoch, checkpointed after every step.
    StopAfterSteps stopper(11);
    const auto stopped = runExperiment(project(), id, stopper, stopper.source.get_token());
    EXPECT_TRUE(stopped.cancelled);
    EXPECT_EQ(stopper.last.runsTotal, 8);

    StopAfterSteps never(1000000);
    const auto resumed = runExperiment(project(), id, never, {});
    EXPECT_FALSE(resumed.cancelled);
    EXPECT_EQ(resumed.trained + resumed.evaluated + resumed.skipped, 8);
    EXPECT_GE(resumed.resumed, 1);
    EXPECT_EQ(never.last.runsDone, 8);
    EXPECT_EQ(never.last.etaSeconds, 0.0);
}

TEST_F(ShapesExperiment, ComparisonPairsArmsBySeedAgainstTheBaseline) {
    const auto id = createExperiment();
    ExperimentObserver quiet;
    runExperiment(project(), id, quiet, {});
    const auto comparison = compareExperiment(project(), id);
    Database db = openProject(project());
    ProjectStore store(db);
    auto heldOut = store.labeledImagesInSplit(Split::Test).size();
    if (heldOut == 0) heldOut = store.labeledImagesInSplit(Split::Val).size();
    const auto errorsOf = [](const ArmBudgetResult& result) {
        std::int64_t errors = 0;
        for (const auto& image : result.misclassified) errors += std::int64_t(image.predicted.size());
        return errors;
    };
    ASSERT_EQ(comparison.results.size(), 4u);
    for (const auto& result : comparison.results) {
        ASSERT_TRUE(result.score) << result.arm;
        EXPECT_EQ(result.score->count, 2u);
        EXPECT_EQ(result.versusBaseline.has_value(), result.arm == "transfer");
        // The stored errors are exactly the held-out accuracy's complement, seed by seed.
        EXPECT_NEAR(double(errorsOf(result)), (2 - result.scores[0] - result.scores[1]) * double(heldOut), 1e-6);
        EXPECT_TRUE(std::is_sorted(result.misclassified.begin(), result.misclassified.end(),
                                   [](const auto& a, const auto& b) { return a.predicted.size() > b.predicted.size(); }));
        if (result.versusBaseline) {
            const auto& scratch = comparison.results[std::size_t(&result - &comparison.results[0]) + 1];
            EXPECT_NEAR(result.versusBaseline->delta.mean, result.score->mean - scratch.score->mean, 1e-12);
            ASSERT_TRUE(result.mcNemarVersusBaseline);
            EXPECT_EQ(result.mcNemarVersusBaseline->onlyFirstRight - result.mcNemarVersusBaseline->onlySecondRight,
                      errorsOf(scratch) - errorsOf(result));
        }
    }
}

TEST(ExperimentSpec, ExplainsWhatIsWrong) {
    EXPECT_NE(testing::errorOf([] { ExperimentSpec::fromJson(R"({"arms": [{"name": "scratch"}]})"); }).find("at least two arms"),
              std::string::npos);
    EXPECT_NE(testing::errorOf([] {
                  ExperimentSpec::fromJson(R"({"arms": [{"name": "a"}, {"name": "b"}]})");
              }).find("baseline arm 'scratch'"),
              std::string::npos);
    EXPECT_NE(testing::errorOf([] {
                  ExperimentSpec::fromJson(R"({"budgets": [0], "arms": [{"name": "a"}, {"name": "scratch"}]})");
              }).find("\"all\""),
              std::string::npos);
    const auto spec = ExperimentSpec::fromJson(R"({"seeds": [4, 9], "budgets": [5, "all"], "arms": [
        {"name": "transfer", "train": {"freeze": "probe", "learningRate": 0.01}}, {"name": "scratch"}]})");
    EXPECT_EQ(spec.seeds, (std::vector<std::uint64_t>{4, 9}));
    EXPECT_EQ(spec.budgets, (std::vector<int>{5, 0}));
    EXPECT_EQ(spec.arms[0].config.freeze, "probe");
    EXPECT_EQ(ExperimentSpec::fromJson(spec.toJson()).toJson(), spec.toJson());
}

} // namespace
} // namespace graft
