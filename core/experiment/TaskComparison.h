#pragma once

#include "experiment/ExperimentSpec.h"
#include "experiment/Summary.h"
#include "experiment/TransferVerdict.h"
#include "project/RunStore.h"

#include <optional>
#include <string>
#include <vector>

namespace graft {

// The tasks an arm learns (TrainConfig::tasks): its own list, or the project's first task.
std::vector<std::string> tasksOfArm(const ExperimentArm& arm, const std::string& firstTask);

// One arm that learns a task with others, against the arm that learns it alone, at one budget.
struct SharedTaskResult {
    std::string arm;
    int budget = 0;
    std::vector<double> scores;                  // the task's held-out metric per finished seed
    std::optional<Summary> score;
    std::optional<Summary> aloneScore;           // the arm that learns the task alone, at the budget
    std::optional<PairedComparison> versusAlone; // paired by seed with it
};

// Whether sharing a backbone helped one task: every multi-task arm that learns it against the
// single-task arm of that task, paired per seed and budget on the task's own held-out figure.
struct TaskComparison {
    std::string task;
    std::string alone;                    // the arm that learns the task alone; empty: none does
    std::vector<SharedTaskResult> shared; // budget by budget, arm by arm
};

// "sharing helps task B", "no evidence for task B", "negative transfer to task B".
std::string sharingVerdictText(Verdict verdict, const std::string& task);

// Per task learnt by a multi-task arm of the experiment; empty when no arm learns several tasks.
// Scores are the held-out figures `metric` of each task ("heldout_accuracy/TASK").
std::vector<TaskComparison> compareTasks(RunStore& runs, std::int64_t experimentId, const ExperimentSpec& spec,
                                         const std::string& firstTask);

} // namespace graft
