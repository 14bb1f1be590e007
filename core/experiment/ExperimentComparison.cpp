#include "experiment/ExperimentComparison.h"

#include "common/Error.h"
#include "experiment/ExperimentRunner.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"
#include "project/RunStore.h"

#include <map>

namespace graft {
namespace {

// Held-out accuracy of each finished trial, by (arm, budget) and seed.
using AccuracyBySeed = std::map<std::uint64_t, double>;

AccuracyBySeed finishedAccuracies(RunStore& runs, std::int64_t experimentId, const ExperimentSpec& spec,
                                  const std::string& arm, int budget) {
    AccuracyBySeed accuracies;
    for (const auto seed : spec.seeds) {
        const auto runId = runs.trialRun(experimentId, arm, seed, budget);
        if (!runId || runs.run(*runId).status != RunStatus::Finished) continue;
        const auto metric = runs.metric(*runId, kHeldOutAccuracy);
        if (!metric.empty()) accuracies[seed] = metric.back().value;
    }
    return accuracies;
}

} // namespace

ExperimentComparison compareExperiment(const std::filesystem::path& project, std::int64_t experimentId) {
    Database db = openProject(project, ProjectAccess::ReadOnly);
    ExperimentComparison comparison;
    comparison.experimentId = experimentId;
    comparison.spec = ExperimentSpec::fromJson(ExperimentStore(db).experiment(experimentId).specJson);
    const auto& spec = comparison.spec;
    RunStore runs(db);

    std::map<std::string, std::vector<CurvePoint>> curves;
    std::map<std::pair<std::string, int>, AccuracyBySeed> byArmAndBudget;
    for (const int budget : spec.budgets)
        for (const auto& arm : spec.arms) {
            auto accuracies = finishedAccuracies(runs, experimentId, spec, arm.name, budget);
            for (const auto& [seed, accuracy] : accuracies)
                if (budget > 0) curves[arm.name].push_back({double(budget), accuracy});
            byArmAndBudget[{arm.name, budget}] = std::move(accuracies);
        }

    for (const int budget : spec.budgets)
        for (const auto& arm : spec.arms) {
            ArmBudgetResult result;
            result.arm = arm.name;
            result.budget = budget;
            const auto& accuracies = byArmAndBudget[{arm.name, budget}];
            for (const auto& [seed, accuracy] : accuracies) result.accuracies.push_back(accuracy);
            if (!result.accuracies.empty()) result.accuracy = Summary::of(result.accuracies);
            if (arm.name != spec.baseline) {
                const auto& baselineBySeed = byArmAndBudget[{spec.baseline, budget}];
                std::vector<double> paired, baseline;
                for (const auto& [seed, accuracy] : accuracies)
                    if (const auto found = baselineBySeed.find(seed); found != baselineBySeed.end()) {
                        paired.push_back(accuracy);
                        baseline.push_back(found->second);
                    }
                if (!paired.empty()) result.versusBaseline = comparePaired(paired, baseline);
                if (budget > 0 && result.accuracy && !curves[spec.baseline].empty())
                    result.baselineLabelsToMatch = labelsToReach(curves[spec.baseline], result.accuracy->mean);
            }
            comparison.results.push_back(std::move(result));
        }

    for (const auto& arm : spec.arms) {
        ArmCurve curve{arm.name, std::nullopt};
        try {
            curve.fit = fitPowerLaw(curves[arm.name]);
        } catch (const Error&) { // fewer than two budgets: no curve to fit
        }
        comparison.curves.push_back(curve);
    }
    return comparison;
}

} // namespace graft
