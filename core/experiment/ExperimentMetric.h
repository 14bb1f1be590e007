#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace graft {

class ProjectStore;

// What an experiment judges its trials by on the held-out images. Intervals, verdicts, curves and
// labels saved all follow it.
enum class ExperimentMetric { Accuracy, BalancedAccuracy, MacroF1 };

// Every metric, for choices and error messages.
std::vector<ExperimentMetric> experimentMetrics();
// "accuracy", "balanced_accuracy", "macro_f1": the spec's JSON.
std::string_view metricKey(ExperimentMetric metric);
// "accuracy", "balanced accuracy", "macro-F1": what the user reads.
std::string_view metricLabel(ExperimentMetric metric);
// Throws graft::Error listing the keys for an unknown one.
ExperimentMetric metricFromKey(const std::string& key);
// The name a trial's held-out value is stored under in the metrics table: "heldout_" + key.
std::string heldOutMetricName(ExperimentMetric metric);

// Accuracy when the labelled training images are about balanced (the largest class at most 1.5
// times the smallest), else balanced accuracy: on a 68/32 two-class set every arm scores about
// 0.68 accuracy by saying the majority class, which balanced accuracy shows as 0.5.
ExperimentMetric defaultMetric(ProjectStore& store);

} // namespace graft
