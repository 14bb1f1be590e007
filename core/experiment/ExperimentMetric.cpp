#include "experiment/ExperimentMetric.h"

#include "common/Error.h"
#include "project/ProjectStore.h"

#include <algorithm>

namespace graft {

std::vector<ExperimentMetric> experimentMetrics() {
    return {ExperimentMetric::Accuracy, ExperimentMetric::BalancedAccuracy, ExperimentMetric::MacroF1};
}

std::string_view metricKey(ExperimentMetric metric) {
    switch (metric) {
    case ExperimentMetric::Accuracy: return "accuracy";
    case ExperimentMetric::BalancedAccuracy: return "balanced_accuracy";
    case ExperimentMetric::MacroF1: return "macro_f1";
    }
    return "accuracy";
}

std::string_view metricLabel(ExperimentMetric metric) {
    switch (metric) {
    case ExperimentMetric::Accuracy: return "accuracy";
    case ExperimentMetric::BalancedAccuracy: return "balanced accuracy";
    case ExperimentMetric::MacroF1: return "macro-F1";
    }
    return "accuracy";
}

ExperimentMetric metricFromKey(const std::string& key) {
    std::string keys;
    for (const auto metric : experimentMetrics()) {
        if (metricKey(metric) == key) return metric;
        keys += (keys.empty() ? "" : ", ") + std::string(metricKey(metric));
    }
    throw Error("experiment 'metric' is '" + key + "'; use one of " + keys);
}

std::string heldOutMetricName(ExperimentMetric metric) { return "heldout_" + std::string(metricKey(metric)); }

ExperimentMetric defaultMetric(ProjectStore& store) {
    std::int64_t smallest = 0, largest = 0;
    for (const auto& summary : store.classSummaries()) {
        if (summary.train == 0) continue;
        smallest = smallest == 0 ? summary.train : std::min(smallest, summary.train);
        largest = std::max(largest, summary.train);
    }
    return largest > 1.5 * double(smallest) ? ExperimentMetric::BalancedAccuracy : ExperimentMetric::Accuracy;
}

} // namespace graft
