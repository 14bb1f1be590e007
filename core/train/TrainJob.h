#pragma once

#include "train/TrainingSession.h"

#include <chrono>
#include <functional>
#include <future>
#include <thread>

namespace graft {

// Runs one training session on a worker thread. The observer is called on that thread.
// Destroying the job requests a stop and joins.
class TrainJob {
public:
    TrainJob(TrainingRequest request, TrainObserver& observer);
    // Any training work, such as a data-parallel worker's (trainAsWorker).
    explicit TrainJob(std::function<TrainingResult(std::stop_token)> work);

    // Safe from any thread; training ends within one batch.
    void requestStop();
    bool waitFor(std::chrono::milliseconds timeout) const;
    // Waits, then returns the result or rethrows the job's error.
    TrainingResult result();

private:
    std::future<TrainingResult> result_;
    std::jthread worker_;
};

} // namespace graft
