#include "train/DataParallelWorker.h"

#include "common/Error.h"
#include "train/PackageTraining.h"

namespace graft {

TrainingResult trainAsWorker(DataParallelGroup& group, const std::string& device, TrainObserver& observer,
                             std::stop_token stop) {
    const auto package = TrainingPackage::fromBytes(group.broadcastBytes({}));
    if (!package.refusal.empty())
        throw Error("rank " + std::to_string(group.rank()) + " of " + std::to_string(group.worldSize()) +
                    ": rank 0 could not start the run: " + package.refusal);
    const auto trained = trainPackage(package, &group, device, observer, stop);
    TrainingResult result;
    result.status = trained.outcome.status == TrainStatus::Finished ? RunStatus::Finished : RunStatus::Cancelled;
    result.epochsCompleted = trained.outcome.epochsCompleted;
    result.stoppedEarly = trained.outcome.stoppedEarly;
    result.steps = trained.outcome.steps;
    result.trainImages = package.trainSet.size();
    result.device = trained.device;
    return result;
}

} // namespace graft
