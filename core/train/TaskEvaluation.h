#pragma once

#include "train/MultiTaskLoss.h"

#include <functional>
#include <stop_token>
#include <vector>

namespace graft {

// A multi-task model's figures on labelled images, task by task, each over the images labelled in
// that task.
struct TaskEvaluation {
    std::vector<double> loss;           // mean cross-entropy
    std::vector<double> accuracy;
    std::vector<std::int64_t> labelled; // images labelled in the task
    bool complete = true;               // false when a stop request cut it short

    // The tasks' mean, what picks a multi-task run's best checkpoint; tasks without a labelled
    // image are left out.
    double meanLoss() const;
    double meanAccuracy() const;
};

// logitsOfRange(begin, end): the model's outputs for images [begin, end), every task's head one
// after another (columns); labels are N x tasks with kNoLabel where an image has none.
TaskEvaluation evaluateTaskRanges(const std::function<torch::Tensor(std::int64_t, std::int64_t)>& logitsOfRange,
                                  const torch::Tensor& labels, const TaskColumns& columns, int batchSize,
                                  torch::Device device, std::stop_token stop = {});

} // namespace graft
