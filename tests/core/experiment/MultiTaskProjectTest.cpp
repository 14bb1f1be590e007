#include "experiment/MultiTaskProject.h"

#include "experiment/ComparisonReport.h"
#include "experiment/ExperimentComparison.h"
#include "experiment/ExperimentRunner.h"
#include "experiment/ExperimentSpec.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"
#include "project/TaskStore.h"

#include "TempDir.h"

#include <gtest/gtest.h>

namespace graft {
namespace {

TEST(MultiTaskProject, EveryDigitIsLabelledWithItsParityAndEachTaskGetsAVerdictAgainstItsArmAlone) {
    testing::TempDir dir;
    const auto path = dir / "multi-task.graft";
    const auto created = createMultiTaskProject(path, 2);
    EXPECT_EQ(created.images, 5000);
    EXPECT_EQ(created.heldOut, 500);
    std::int64_t experimentId = 0;
    {
        Database db = openProject(path);
        const auto tasks = TaskStore(db).summaries();
        ASSERT_EQ(tasks.size(), 2u);
        EXPECT_EQ(tasks[0].name, "digit");
        EXPECT_EQ(tasks[0].classes, 10);
        EXPECT_EQ(tasks[1].name, "parity");
        EXPECT_EQ(tasks[1].labeled, 5000);
        ProjectStore digits(db), parity(db, tasks[1].id);
        const auto digitNames = digits.classNames(), parityNames = parity.classNames();
        for (const auto& image : digits.labeledImages())
            ASSERT_EQ(parityNames.at(*parity.classOf(image.sha256)), std::stoi(digitNames.at(image.classId)) % 2 ? "odd" : "even");
        // The defined experiment is the example's; a smaller one of the same arms runs here.
        const auto spec = ExperimentSpec::fromJson(ExperimentStore(db).experiment(created.experimentId).specJson);
        EXPECT_EQ(spec.arms.size(), 3u);
        EXPECT_EQ(spec.seeds.size(), 2u);
        const auto small = ExperimentSpec::fromJson(multiTaskExperimentSpecJson(2, {5}, 300)).withProjectDefaults(digits);
        experimentId = ExperimentStore(db).create(small.name, small.toJson());
    }
    ExperimentObserver quiet;
    const auto summary = runExperiment(path, experimentId, quiet, {});
    EXPECT_EQ(summary.failed, 0);

    const auto comparison = compareExperiment(path, experimentId);
    ASSERT_EQ(comparison.tasks.size(), 2u);
    for (const auto& task : comparison.tasks) {
        SCOPED_TRACE(task.task);
        EXPECT_EQ(task.alone, task.task + " alone");
        ASSERT_EQ(task.shared.size(), 1u);
        const auto& shared = task.shared[0];
        EXPECT_EQ(shared.arm, "digit and parity");
        ASSERT_EQ(shared.scores.size(), 2u);
        ASSERT_TRUE(shared.versusAlone);
        ASSERT_TRUE(shared.aloneScore);
        EXPECT_NEAR(shared.versusAlone->delta.mean, shared.score->mean - shared.aloneScore->mean, 1e-12);
    }
    // The multi-task arm's own figure, in the main table, is its tasks' mean; it keeps no
    // misclassified images, so McNemar is not asked of it.
    Database db = openProject(path, ProjectAccess::ReadOnly);
    RunStore runs(db);
    const auto run = *runs.trialRun(experimentId, "digit and parity", comparison.spec.seeds[0], 5);
    const double digit = runs.metric(run, "heldout_accuracy/digit").back().value;
    const double parity = runs.metric(run, "heldout_accuracy/parity").back().value;
    EXPECT_NEAR(runs.metric(run, "heldout_accuracy").back().value, (digit + parity) / 2, 1e-12);
    EXPECT_GT(parity, 0.5) << "two classes: chance is a half";
    // Arms that learn other tasks than the baseline's are not set against it: their tasks are.
    for (const auto& result : comparison.results) {
        SCOPED_TRACE(result.arm);
        EXPECT_EQ(result.learnsOtherTasks, result.arm != "digit alone");
        if (result.learnsOtherTasks) {
            EXPECT_FALSE(result.versusBaseline);
            EXPECT_FALSE(result.mcNemarVersusBaseline);
            EXPECT_EQ(verdictCellText(comparison, result), "learns other tasks");
            EXPECT_EQ(labelsSavedText(comparison, result), "");
        }
    }
}

} // namespace
} // namespace graft
