#pragma once

#include "experiment/ExperimentSpec.h"
#include "experiment/LabelEfficiency.h"
#include "experiment/McNemar.h"
#include "experiment/Summary.h"
#include "experiment/TaskComparison.h"
#include "experiment/TransferVerdict.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace graft {

// A held-out image an arm got wrong at one budget, for the error browser.
struct MisclassifiedImage {
    std::string image; // SHA-256
    std::string actual;
    std::vector<std::string> predicted; // one per seed that got it wrong, in seed order
};

// One arm at one label budget, over the seeds that finished.
struct ArmBudgetResult {
    std::string arm;
    int budget = 0; // labels per class; 0: all
    std::vector<double> scores; // the experiment's held-out metric per finished seed, in seed order
    std::optional<Summary> score;
    std::optional<PairedComparison> versusBaseline; // paired by seed; not for the baseline itself
    // The second opinion: McNemar on the held-out predictions of the paired seeds, pooled;
    // onlyFirstRight counts images this arm got right and the baseline wrong.
    std::optional<McNemarResult> mcNemarVersusBaseline;
    // Labels per class the baseline needs to reach this arm's mean score (interpolated over its
    // budgets); empty when it never does, or for the baseline and the "all" budget.
    std::optional<double> baselineLabelsToMatch;
    // Most often wrong first (by how many seeds), then by image.
    std::vector<MisclassifiedImage> misclassified;
    std::optional<Summary> calibrationError; // held-out ECE over the seeds that have it
    // An arm that learns other tasks than the baseline is not set against it: its tasks are, one by
    // one, in ExperimentComparison::tasks.
    bool learnsOtherTasks = false;
};

struct ArmCurve {
    std::string arm;
    std::optional<PowerLawFit> fit; // over the numeric budgets; needs two of them
};

// How an arm's trials were picked and judged, in words, for arms that name domains (TrainConfig's
// trainingDomains and targetDomain): without target labels, which weights to keep is itself a choice.
struct ArmJudging {
    std::string arm;
    std::string modelSelection; // "the best validation loss on the 500 validation images of printed"
    std::string heldOut;        // "the test images of handwritten"
};

struct ExperimentComparison {
    std::int64_t experimentId = 0;
    ExperimentSpec spec;
    ExperimentMetric metric = ExperimentMetric::Accuracy; // what the scores are: spec.judgedBy()
    std::vector<ArmBudgetResult> results; // budget by budget, arm by arm
    std::vector<ArmCurve> curves;
    std::vector<ArmJudging> judging; // empty unless an arm names domains
    // Arms that learn several tasks: each task's verdict against the arm that learns it alone.
    std::vector<TaskComparison> tasks;
};

// Reads the held-out metric of every finished trial and compares each arm with the baseline.
ExperimentComparison compareExperiment(const std::filesystem::path& project, std::int64_t experimentId);

} // namespace graft
