#pragma once

#include "train/TrainingInputs.h"

namespace graft {

// TrainingInputs for a multi-task run (config.tasks names several): the training (validation)
// images labelled in any of the tasks, each with a label per task (kNoLabel where it has none),
// and a model whose outputs are every task's head one after another. A task's head has the
// classes it has training images of. Errors name the project and the task.
TrainingInputs prepareMultiTaskInputs(const std::filesystem::path& project, Database& db, const TrainConfig& config,
                                      TrainObserver& observer);

} // namespace graft
