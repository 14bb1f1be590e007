#pragma once

#include "distributed/ProcessGroup.h"
#include "train/RemoteTraining.h"

namespace graft {

// Rank 0's handle on another rank of an experiment spread over ranks (serveTrials there).
class RemoteRank final : public RemoteTraining {
public:
    RemoteRank(ProcessGroup& group, int rank) : group_(group), rank_(rank) {}
    TrainOutcome train(const TrainingPackage& package, TrainObserver& observer, std::stop_token stop) override;
    // No more trials: the rank's serveTrials returns.
    void release() override;

private:
    ProcessGroup& group_;
    int rank_;
};

} // namespace graft
