#include "experiment/ExperimentComparison.h"
#include "experiment/ExperimentRunner.h"
#include "experiment/ExperimentSpec.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"
#include "project/RunStore.h"

#include "TempDir.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <utility>

namespace graft {
namespace {

// Finished trials with these held-out accuracies, by (arm, labels per class), one per seed 1, 2.
std::int64_t recordExperiment(const std::filesystem::path& project,
                              const std::map<std::pair<std::string, int>, std::pair<double, double>>& accuracies) {
    Database db = createProject(project);
    const std::string spec = R"({"name": "recorded", "seeds": [1, 2], "budgets": [5, 10], "arms": [
        {"name": "transfer", "train": {}}, {"name": "scratch", "train": {}}]})";
    const auto experimentId = ExperimentStore(db).create("recorded", ExperimentSpec::fromJson(spec).toJson());
    RunStore runs(db);
    for (const auto& [trial, bySeed] : accuracies)
        for (const auto& [seed, accuracy] : {std::pair{1, bySeed.first}, std::pair{2, bySeed.second}}) {
            const auto runId = runs.beginRun({trial.first, "tinynet", "scratch", std::uint64_t(seed), "{}", "0.1.0", "1.13.0",
                                              experimentId, trial.second});
            runs.endRun(runId, RunStatus::Finished);
            runs.recordHeldOutResult(runId, {kHeldOutAccuracy, accuracy}, {});
        }
    return experimentId;
}

// "Labels saved" compares means: scratch's best seed reaching transfer's mean is luck, not labels.
TEST(ExperimentComparison, LabelsToMatchFollowTheBaselinesMeanNotItsLuckiestSeed) {
    testing::TempDir dir;
    const auto project = dir / "recorded.graft";
    const auto experimentId = recordExperiment(project, {{{"scratch", 5}, {0.60, 0.70}},
                                                         {{"scratch", 10}, {0.70, 0.80}},
                                                         {{"transfer", 5}, {0.70, 0.70}},
                                                         {{"transfer", 10}, {0.78, 0.78}}});
    const auto comparison = compareExperiment(project, experimentId);
    std::map<int, const ArmBudgetResult*> transfer;
    for (const auto& result : comparison.results)
        if (result.arm == "transfer") transfer[result.budget] = &result;
    ASSERT_EQ(transfer.size(), 2u);

    // Scratch's means are 0.65 at 5 and 0.75 at 10; 0.70 lies halfway in log k.
    ASSERT_TRUE(transfer[5]->baselineLabelsToMatch);
    EXPECT_NEAR(*transfer[5]->baselineLabelsToMatch, std::sqrt(5.0 * 10.0), 1e-9);
    EXPECT_FALSE(transfer[10]->baselineLabelsToMatch) << "scratch's mean never reaches 0.78, though one seed does";
}

} // namespace
} // namespace graft
