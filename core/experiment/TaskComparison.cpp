#include "experiment/TaskComparison.h"

#include "experiment/ExperimentMetric.h"

#include <algorithm>
#include <map>

namespace graft {
namespace {

// The task's figure of every finished trial of the arm at the budget that has one, by seed.
std::map<std::uint64_t, double> taskScores(RunStore& runs, std::int64_t experimentId, const ExperimentSpec& spec,
                                           const std::string& arm, int budget, const std::string& metric) {
    std::map<std::uint64_t, double> scores;
    for (const auto seed : spec.seeds) {
        const auto runId = runs.trialRun(experimentId, arm, seed, budget);
        if (!runId || runs.run(*runId).status != RunStatus::Finished) continue;
        const auto values = runs.metric(*runId, metric);
        if (!values.empty()) scores[seed] = values.back().value;
    }
    return scores;
}

std::vector<double> valuesOf(const std::map<std::uint64_t, double>& bySeed) {
    std::vector<double> values;
    for (const auto& [seed, value] : bySeed) values.push_back(value);
    return values;
}

} // namespace

std::vector<std::string> tasksOfArm(const ExperimentArm& arm, const std::string& firstTask) {
    const auto named = nameList(arm.config.tasks);
    return named.empty() ? std::vector<std::string>{firstTask} : named;
}

std::string sharingVerdictText(Verdict verdict, const std::string& task) {
    switch (verdict) {
    case Verdict::TransferHelps: return "sharing helps task " + task;
    case Verdict::NegativeTransfer: return "negative transfer to task " + task;
    case Verdict::NoEvidence: break;
    }
    return "no evidence for task " + task;
}

std::vector<TaskComparison> compareTasks(RunStore& runs, std::int64_t experimentId, const ExperimentSpec& spec,
                                         const std::string& firstTask) {
    std::vector<std::string> sharedTasks; // in the order the arms name them
    for (const auto& arm : spec.arms) {
        const auto tasks = tasksOfArm(arm, firstTask);
        if (tasks.size() < 2) continue;
        for (const auto& task : tasks)
            if (std::find(sharedTasks.begin(), sharedTasks.end(), task) == sharedTasks.end()) sharedTasks.push_back(task);
    }
    std::vector<TaskComparison> comparisons;
    for (const auto& task : sharedTasks) {
        TaskComparison comparison;
        comparison.task = task;
        const auto metric = heldOutMetricName(spec.judgedBy()) + "/" + task;
        for (const auto& arm : spec.arms)
            if (tasksOfArm(arm, firstTask) == std::vector<std::string>{task}) comparison.alone = arm.name;
        for (const int budget : spec.budgets) {
            const auto alone = comparison.alone.empty()
                                   ? std::map<std::uint64_t, double>()
                                   : taskScores(runs, experimentId, spec, comparison.alone, budget, metric);
            for (const auto& arm : spec.arms) {
                const auto tasks = tasksOfArm(arm, firstTask);
                if (tasks.size() < 2 || std::find(tasks.begin(), tasks.end(), task) == tasks.end()) continue;
                SharedTaskResult result;
                result.arm = arm.name;
                result.budget = budget;
                const auto scores = taskScores(runs, experimentId, spec, arm.name, budget, metric);
                result.scores = valuesOf(scores);
                if (!result.scores.empty()) result.score = Summary::of(result.scores);
                if (!alone.empty()) result.aloneScore = Summary::of(valuesOf(alone));
                std::vector<double> paired, baseline;
                for (const auto& [seed, score] : scores)
                    if (const auto found = alone.find(seed); found != alone.end()) {
                        paired.push_back(score);
                        baseline.push_back(found->second);
                    }
                if (!paired.empty()) result.versusAlone = comparePaired(paired, baseline);
                comparison.shared.push_back(std::move(result));
            }
        }
        comparisons.push_back(std::move(comparison));
    }
    return comparisons;
}

} // namespace graft
