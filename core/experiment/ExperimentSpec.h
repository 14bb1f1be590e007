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
    TrainConfig config; // its seed and label budget are set per trial; its own labelsPerClass caps the budget
};

// A labelling simulation on a fully labelled project: the training split's labels are hidden, and
// each strategy (an arm, named as selection/Selection.h names it) reveals `perRound` of them per
// round; the recipe trains after every round. Strategies share the seed set, the recipe and the
// seed, so they are paired per seed like any arms, and a trial's budget is its labels in all.
struct LabellingSimulation {
    std::vector<std::string> strategies;
    int seedLabels = 0; // images labelled at random (by the seed) before the first round; 0: a cold start
    int perRound = 10;
    int rounds = 3;

    int labelsAfter(int round) const { return seedLabels + round * perRound; }
    int firstTrainedRound() const { return seedLabels > 0 ? 0 : 1; } // a cold start has nothing to train on
    // The round whose labels a budget counts; throws for a budget no round reaches.
    int roundOf(int budget) const;
};

// Paired trials: every arm trains once per (seed, label budget), and all arms of a (seed, budget)
// see the same training images, because the k-per-class sample depends on those two alone.
// JSON: {"name": "...", "seeds": 3 or [0, 1, 2], "budgets": [5, 10, "all"], "baseline": "scratch",
//        "metric": "accuracy" | "balanced_accuracy" | "macro_f1",
//        "arms": [{"name": "transfer", "train": {TrainConfig fields}}, ...]}
// A labelling simulation has no "arms" or "budgets" (its strategies and rounds make them):
//       {"name": "...", "seeds": 10, "baseline": "random",
//        "simulation": {"strategies": ["random", "typical"], "seedLabels": 0, "perRound": 10, "rounds": 4},
//        "recipe": {TrainConfig fields}}
struct ExperimentSpec {
    std::string name = "experiment";
    std::vector<ExperimentArm> arms;
    std::vector<std::uint64_t> seeds = {0, 1, 2};
    std::vector<int> budgets = {0}; // labels per class; 0: every labelled training image
    std::string baseline = "scratch";
    // Unset until the experiment is created, when withProjectDefaults picks it from the data;
    // a stored spec without one (made before the choice existed) was judged by accuracy.
    std::optional<ExperimentMetric> metric;
    std::optional<LabellingSimulation> simulation;

    // "10 labels per class", "all labels", or in a simulation "40 labels".
    std::string budgetText(int budget) const;
    ExperimentMetric judgedBy() const { return metric.value_or(ExperimentMetric::Accuracy); }
    // The spec as it is stored for `store`'s project: its metric chosen by defaultMetric if unset.
    ExperimentSpec withProjectDefaults(ProjectStore& store) const;

    // Throws graft::Error naming the field and what it needs.
    static ExperimentSpec fromJson(const std::string& json);
    std::string toJson() const;
};

} // namespace graft
