#include "train/TrainJob.h"

namespace graft {

TrainJob::TrainJob(TrainingRequest request, TrainObserver& observer)
    : TrainJob([request = std::move(request), &observer](std::stop_token stop) { return runTraining(request, observer, stop); }) {}

TrainJob::TrainJob(std::function<TrainingResult(std::stop_token)> work) {
    std::packaged_task<TrainingResult(std::stop_token)> task(std::move(work));
    result_ = task.get_future();
    worker_ = std::jthread(std::move(task));
}

void TrainJob::requestStop() { worker_.request_stop(); }

bool TrainJob::waitFor(std::chrono::milliseconds timeout) const {
    return result_.wait_for(timeout) == std::future_status::ready;
}

TrainingResult TrainJob::result() { return result_.get(); }

} // namespace graft
