#include "experiment/EpochCurves.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"
#include "project/RunStore.h"

#include <gtest/gtest.h>

namespace graft {
namespace {

// A trial run whose val_accuracy at epoch e is values[e - 1].
std::int64_t addTrial(RunStore& runs, std::int64_t experimentId, const std::string& arm, std::uint64_t seed,
                      std::int64_t labelsPerClass, const std::vector<double>& values) {
    const auto id = runs.beginRun({arm, "tinynet", "scratch", seed, "{}", "0.1.0", "1.13.0", experimentId, labelsPerClass});
    for (std::size_t epoch = 1; epoch <= values.size(); ++epoch) {
        const Metric metrics[] = {{"val_accuracy", values[epoch - 1]}, {"val_loss", 1 - values[epoch - 1]}};
        runs.addMetrics(id, std::int64_t(epoch) * 10, std::int64_t(epoch), metrics);
    }
    return id;
}

TEST(EpochCurves, GivesEachArmTheMeanAndRangeOverSeedsPerEpoch) {
    Database db = openInMemoryProject();
    const auto experiment = ExperimentStore(db).create("e", "{}");
    RunStore runs(db);
    addTrial(runs, experiment, "transfer", 0, 10, {0.5, 0.7});
    addTrial(runs, experiment, "scratch", 0, 10, {0.2, 0.3});
    addTrial(runs, experiment, "transfer", 1, 10, {0.6, 0.9});
    addTrial(runs, experiment, "transfer", 2, 10, {0.4}); // still running: one epoch so far
    addTrial(runs, experiment, "transfer", 0, 0, {0.99, 0.99});   // another budget
    addTrial(runs, 0, "single", 0, 10, {0.1, 0.1});                // not a trial

    const auto curves = epochCurves(db, experiment, 10, "val_accuracy");
    ASSERT_EQ(curves.size(), 2u);
    EXPECT_EQ(curves[0].arm, "transfer");
    EXPECT_EQ(curves[1].arm, "scratch");
    ASSERT_EQ(curves[0].points.size(), 2u);
    EXPECT_EQ(curves[0].points[0].epoch, 1);
    EXPECT_EQ(curves[0].points[0].seeds, 3);
    EXPECT_DOUBLE_EQ(curves[0].points[0].mean, 0.5);
    EXPECT_DOUBLE_EQ(curves[0].points[0].low, 0.4);
    EXPECT_DOUBLE_EQ(curves[0].points[0].high, 0.6);
    EXPECT_EQ(curves[0].points[1].seeds, 2);
    EXPECT_DOUBLE_EQ(curves[0].points[1].mean, 0.8);
    EXPECT_DOUBLE_EQ(curves[0].points[1].low, 0.7);
    EXPECT_DOUBLE_EQ(curves[0].points[1].high, 0.9);
    EXPECT_DOUBLE_EQ(curves[1].points[1].mean, 0.3);
    EXPECT_DOUBLE_EQ(epochCurves(db, experiment, 10, "val_loss")[1].points[0].mean, 0.8);
}

TEST(EpochCurves, CountsARetriedTrialOnceByItsNewestRun) {
    Database db = openInMemoryProject();
    const auto experiment = ExperimentStore(db).create("e", "{}");
    RunStore runs(db);
    addTrial(runs, experiment, "scratch", 4, 0, {0.1, 0.1}); // interrupted, then run again
    addTrial(runs, experiment, "scratch", 4, 0, {0.3, 0.5});

    const auto curves = epochCurves(db, experiment, 0, "val_accuracy");
    ASSERT_EQ(curves.size(), 1u);
    EXPECT_EQ(curves[0].points[0].seeds, 1);
    EXPECT_DOUBLE_EQ(curves[0].points[1].mean, 0.5);
}

} // namespace
} // namespace graft
