#include "train/TaskEvaluation.h"

#include "train/Evaluation.h"

#include <torch/nn/functional/loss.h>

namespace graft {
namespace {

double meanOverLabelledTasks(const std::vector<double>& values, const std::vector<std::int64_t>& labelled) {
    double sum = 0;
    int tasks = 0;
    for (std::size_t task = 0; task < values.size(); ++task)
        if (labelled[task] > 0) {
            sum += values[task];
            ++tasks;
        }
    return tasks == 0 ? 0.0 : sum / tasks;
}

} // namespace

double TaskEvaluation::meanLoss() const { return meanOverLabelledTasks(loss, labelled); }
double TaskEvaluation::meanAccuracy() const { return meanOverLabelledTasks(accuracy, labelled); }

TaskEvaluation evaluateTaskRanges(const std::function<torch::Tensor(std::int64_t, std::int64_t)>& logitsOfRange,
                                  const torch::Tensor& labels, const TaskColumns& columns, int batchSize,
                                  torch::Device device, std::stop_token stop) {
    const std::size_t tasks = columns.tasks();
    std::vector<double> lossSum(tasks, 0.0);
    std::vector<std::int64_t> correct(tasks, 0);
    TaskEvaluation result;
    result.labelled.assign(tasks, 0);
    result.complete = forEachLabelledBatch(logitsOfRange, labels, batchSize, device, stop,
                                           [&](const torch::Tensor& logits, const torch::Tensor& batchLabels) {
        for (std::size_t task = 0; task < tasks; ++task) {
            const auto taskLabels = batchLabels.select(1, std::int64_t(task));
            const auto labelled = taskLabels.ne(kNoLabel).sum().item<std::int64_t>();
            if (labelled == 0) continue;
            const auto taskLogits = columns.of(logits, task);
            lossSum[task] += torch::nn::functional::cross_entropy(taskLogits, taskLabels,
                                                                  torch::nn::functional::CrossEntropyFuncOptions()
                                                                      .ignore_index(kNoLabel)
                                                                      .reduction(torch::kSum))
                                 .item<double>();
            correct[task] += taskLogits.argmax(1).eq(taskLabels).sum().item<std::int64_t>();
            result.labelled[task] += labelled;
        }
    });
    for (std::size_t task = 0; task < tasks; ++task) {
        const auto n = double(std::max<std::int64_t>(1, result.labelled[task]));
        result.loss.push_back(lossSum[task] / n);
        result.accuracy.push_back(double(correct[task]) / n);
    }
    return result;
}

} // namespace graft
