#pragma once

#include "train/DataParallelGroup.h"
#include "train/TrainObserver.h"
#include "train/TrainingSession.h"

#include <stop_token>

namespace graft {

// A rank other than 0 of a data-parallel run (TrainingRequest::dataParallel is rank 0's side):
// receives the run from rank 0 (TrainingPackage) without opening any project, trains its share
// of every batch with the other ranks, and reports progress to `observer`; the run's record and
// checkpoints are rank 0's. Throws graft::Error when rank 0 could not start the run, or when the
// group fails (a rank gone).
// `device`: where this rank trains (a DeviceRequest text).
TrainingResult trainAsWorker(DataParallelGroup& group, const std::string& device, TrainObserver& observer,
                             std::stop_token stop);

} // namespace graft
