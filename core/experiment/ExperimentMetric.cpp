#include "experiment/ExperimentMetric.h"

#include "common/Error.h"
#include "project/ProjectStore.h"

#include <algorithm>
#include <iterator>

namespace graft {

namespace {

struct MetricNames {
    ExperimentMetric metric;
    std::string_view key;
    std::string_view label;
};

constexpr MetricNames kMetrics[] = {{ExperimentMetric::Accuracy, "accuracy", "accuracy"},
                                    {ExperimentMetric::BalancedAccuracy, "balanced_accuracy", "balanced accuracy"},
                                    {ExperimentMetric::MacroF1, "macro_f1", "macro-F1"}};

const MetricNames& namesOf(ExperimentMetric metric) {
    return *std::find_if(std::begin(kMetrics), std::end(kMetrics), [&](const MetricNames& names) { return names.metric == metric; });
}

} // namespace

std::vector<ExperimentMetric> experimentMetrics() {
    std::vector<ExperimentMetric> metrics;
    for (const auto& names : kMetrics) metrics.push_back(names.metric);
    return metrics;
}

std::string_view metricKey(ExperimentMetric metric) { return namesOf(metric).key; }

std::string_view metricLabel(ExperimentMetric metric) { return namesOf(metric).label; }

ExperimentMetric metricFromKey(const std::string& key) {
    std::string keys;
    for (const auto& names : kMetrics) {
        if (names.key == key) return names.metric;
        keys += (keys.empty() ? "" : ", ") + std::string(names.key);
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
