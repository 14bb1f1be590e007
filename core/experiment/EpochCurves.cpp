#include "experiment/EpochCurves.h"

#include "project/RunStore.h"

#include <algorithm>
#include <map>

namespace graft {

std::vector<ArmEpochCurve> epochCurves(Database& db, std::int64_t experimentId, std::int64_t labelsPerClass,
                                       const std::string& metric) {
    RunStore runs(db);
    std::vector<std::string> arms;                                  // first-run order
    std::map<std::pair<std::string, std::uint64_t>, std::int64_t> newestRun; // (arm, seed) -> run
    for (const auto& run : runs.runs()) { // oldest first, so a retry replaces its trial's earlier run
        if (run.experimentId != experimentId || run.labelsPerClass != labelsPerClass) continue;
        if (std::find(arms.begin(), arms.end(), run.arm) == arms.end()) arms.push_back(run.arm);
        newestRun[{run.arm, run.seed}] = run.id;
    }
    std::vector<ArmEpochCurve> curves;
    for (const auto& arm : arms) {
        std::map<std::int64_t, std::vector<double>> byEpoch;
        for (const auto& [trial, runId] : newestRun)
            if (trial.first == arm)
                for (const auto& point : runs.metric(runId, metric)) byEpoch[point.epoch].push_back(point.value);
        ArmEpochCurve curve{arm, {}};
        for (const auto& [epoch, values] : byEpoch) {
            const auto [low, high] = std::minmax_element(values.begin(), values.end());
            double sum = 0;
            for (double value : values) sum += value;
            curve.points.push_back({epoch, sum / double(values.size()), *low, *high, int(values.size())});
        }
        curves.push_back(std::move(curve));
    }
    return curves;
}

} // namespace graft
