#pragma once

#include "train/DataParallelGroup.h"
#include "train/TrainObserver.h"
#include "train/Trainer.h"
#include "train/TrainingPackage.h"

#include <stop_token>
#include <string>

namespace graft {

struct PackageTrainingResult {
    TrainOutcome outcome;
    std::string device;
};

// Trains a package's run in this process as the training session would have (TrainingSession):
// alone, or as a rank of a data-parallel `group`, on `device` (a DeviceRequest text: this
// process's own, not the one rank 0 trains on). Its checkpoints go to `observer`.
PackageTrainingResult trainPackage(const TrainingPackage& package, DataParallelGroup* group, const std::string& device,
                                   TrainObserver& observer, std::stop_token stop);

} // namespace graft
