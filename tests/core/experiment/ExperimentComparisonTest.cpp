#include "experiment/ComparisonReport.h"
#include "experiment/ExperimentComparison.h"
#include "experiment/ExperimentRunner.h"
#include "experiment/ExperimentSpec.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"
#include "project/RunStore.h"

#include "TempDir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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
            runs.recordHeldOutResult(runId, std::vector<Metric>{{kHeldOutAccuracy, accuracy}}, {});
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

// Judged by balanced accuracy, the scores, intervals and verdicts are those of balanced accuracy,
// not of the plain accuracy stored beside it; the ECE is summarised per arm too.
TEST(ExperimentComparison, ScoresAndVerdictsFollowTheSpecsMetric) {
    testing::TempDir dir;
    Database db = createProject(dir / "recorded.graft");
    const std::string spec = R"({"name": "uneven", "seeds": [1, 2, 3], "budgets": [5], "metric": "balanced_accuracy",
        "arms": [{"name": "transfer", "train": {}}, {"name": "scratch", "train": {}}]})";
    const auto experimentId = ExperimentStore(db).create("uneven", ExperimentSpec::fromJson(spec).toJson());
    RunStore runs(db);
    // Both arms say the majority class (accuracy 0.68 each), but transfer's balanced accuracy is higher.
    const std::map<std::string, std::vector<double>> balanced = {{"transfer", {0.70, 0.72, 0.74}}, {"scratch", {0.50, 0.51, 0.50}}};
    for (const auto& [arm, values] : balanced)
        for (std::uint64_t seed = 1; seed <= 3; ++seed) {
            const auto runId = runs.beginRun({arm, "tinynet", "scratch", seed, "{}", "0.1.0", "1.13.0", experimentId, 5});
            runs.endRun(runId, RunStatus::Finished);
            runs.recordHeldOutResult(runId,
                                     std::vector<Metric>{{kHeldOutAccuracy, 0.68},
                                                         {heldOutMetricName(ExperimentMetric::BalancedAccuracy), values[seed - 1]},
                                                         {kHeldOutEce, 0.1 * double(seed)}},
                                     {});
        }
    const auto comparison = compareExperiment(dir / "recorded.graft", experimentId);
    EXPECT_EQ(comparison.metric, ExperimentMetric::BalancedAccuracy);
    const auto& transfer = comparison.results[0];
    ASSERT_EQ(transfer.arm, "transfer");
    EXPECT_EQ(transfer.scores, balanced.at("transfer"));
    ASSERT_TRUE(transfer.versusBaseline);
    EXPECT_NEAR(transfer.versusBaseline->delta.mean, 0.72 - 0.5033333333333333, 1e-12);
    EXPECT_EQ(transfer.versusBaseline->verdict, Verdict::TransferHelps) << "on accuracy alone there is no difference at all";
    ASSERT_TRUE(transfer.calibrationError);
    EXPECT_NEAR(transfer.calibrationError->mean, 0.2, 1e-12);
    EXPECT_EQ(nlohmann::json::parse(comparisonJson(comparison))["metric"], "balanced_accuracy");
    EXPECT_NE(comparisonMarkdown(comparison).find("Held-out balanced accuracy, mean"), std::string::npos);
}

} // namespace
} // namespace graft
