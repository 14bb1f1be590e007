#pragma once

#include "experiment/ExperimentMetric.h"
#include "train/TrainConfig.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace graft {

struct ExperimentArm {
    std::string name;   // transfer, scratch, probe, or the user's own
    TrainConfig config; // its seed and label budget are set per trial
};

// Paired trials: every arm trains once per (seed, label budget), and all arms of a (seed, budget)
// see the same training images, because the k-per-class sample depends on those two alone.
// JSON: {"name": "...", "seeds": 3 or [0, 1, 2], "budgets": [5, 10, "all"], "baseline": "scratch",
//        "metric": "accuracy" | "balanced_accuracy" | "macro_f1",
//        "arms": [{"name": "transfer", "train": {TrainConfig fields}}, ...]}
struct ExperimentSpec {
    std::string name = "experiment";
    std::vector<ExperimentArm> arms;
    std::vector<std::uint64_t> seeds = {0, 1, 2};
    std::vector<int> budgets = {0}; // labels per class; 0: every labelled training image
    std::string baseline = "scratch";
    // Unset until the experiment is created, when withProjectDefaults picks it from the data;
    // a stored spec without one (made before the choice existed) was judged by accuracy.
    std::optional<ExperimentMetric> metric;

    ExperimentMetric judgedBy() const { return metric.value_or(ExperimentMetric::Accuracy); }
    // The spec as it is stored for `store`'s project: its metric chosen by defaultMetric if unset.
    ExperimentSpec withProjectDefaults(ProjectStore& store) const;

    // Throws graft::Error naming the field and what it needs.
    static ExperimentSpec fromJson(const std::string& json);
    std::string toJson() const;
};

} // namespace graft
