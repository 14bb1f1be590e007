#pragma once

#include "common/Error.h"
#include "train/TrainObserver.h"
#include "train/Trainer.h"
#include "train/TrainingPackage.h"

#include <stop_token>

namespace graft {

// Another process that trains runs for this one, which keeps the project: a rank of an
// experiment spread over processes (core/distributed's RemoteRank).
class RemoteTraining {
public:
    virtual ~RemoteTraining() = default;
    // Trains the package there, relaying its events to `observer` as they come, and passes a stop
    // request on. Throws LostRemoteError when that process has gone, graft::Error when the
    // training failed there.
    virtual TrainOutcome train(const TrainingPackage& package, TrainObserver& observer, std::stop_token stop) = 0;
    // No more runs: lets that process go.
    virtual void release() = 0;
};

// The process training a run has gone (killed, unreachable): the run can go on elsewhere.
class LostRemoteError : public Error {
public:
    using Error::Error;
};

} // namespace graft
