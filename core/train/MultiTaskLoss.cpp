#include "train/MultiTaskLoss.h"

#include "common/Error.h"

#include <torch/nn/functional/loss.h>

namespace graft {

TaskColumns::TaskColumns(std::vector<std::int64_t> classesPerTask) : classes_(std::move(classesPerTask)) {
    if (classes_.empty()) throw Error("a multi-task model needs at least one task");
    std::int64_t offset = 0;
    for (std::size_t task = 0; task < classes_.size(); ++task) {
        if (classes_[task] < 2)
            throw Error("task " + std::to_string(task + 1) + " has " + std::to_string(classes_[task]) +
                        " classes; a head needs at least two");
        offsets_.push_back(offset);
        offset += classes_[task];
    }
}

torch::Tensor TaskColumns::of(const torch::Tensor& logits, std::size_t task) const {
    return logits.slice(1, offset(task), offset(task) + classes(task));
}

MultiTaskLossImpl::MultiTaskLossImpl(TaskColumns columns, std::vector<double> weights)
    : columns_(std::move(columns)), fixedWeights_(std::move(weights)) {
    if (fixedWeights_.size() != columns_.tasks())
        throw Error("expected a loss weight for each of the " + std::to_string(columns_.tasks()) + " tasks, got " +
                    std::to_string(fixedWeights_.size()));
    for (const auto weight : fixedWeights_)
        if (!(weight >= 0)) throw Error("a task's loss weight must be 0 or more, got " + std::to_string(weight));
}

MultiTaskLossImpl::MultiTaskLossImpl(TaskColumns columns) : columns_(std::move(columns)) {
    logVariances_ = register_parameter("log_variances", torch::zeros({std::int64_t(columns_.tasks())}));
}

MultiTaskLossTerms MultiTaskLossImpl::forward(const torch::Tensor& logits, const torch::Tensor& labels) {
    if (logits.dim() != 2 || logits.size(1) != columns_.total() || labels.dim() != 2 ||
        labels.size(0) != logits.size(0) || labels.size(1) != std::int64_t(columns_.tasks()))
        throw Error("multi-task loss: expected logits N x " + std::to_string(columns_.total()) + " and labels N x " +
                    std::to_string(columns_.tasks()) + ", got " + std::to_string(logits.dim()) + "-d logits of width " +
                    std::to_string(logits.size(-1)) + " and labels of shape " + std::to_string(labels.size(0)) + " x " +
                    std::to_string(labels.dim() == 2 ? labels.size(1) : 0));
    MultiTaskLossTerms terms;
    terms.total = torch::zeros({}, logits.options());
    for (std::size_t task = 0; task < columns_.tasks(); ++task) {
        const auto taskLabels = labels.select(1, std::int64_t(task));
        const auto labelled = taskLabels.ne(kNoLabel);
        const auto count = labelled.sum().item<std::int64_t>();
        terms.labelled.push_back(count);
        if (count == 0) { // cross_entropy's mean over no image is NaN
            terms.perTask.push_back(0.0);
            continue;
        }
        const auto loss = torch::nn::functional::cross_entropy(
            columns_.of(logits, task), taskLabels, torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kNoLabel));
        terms.perTask.push_back(loss.item<double>());
        if (logVariances_.defined()) {
            const auto s = logVariances_[std::int64_t(task)];
            terms.total = terms.total + torch::exp(-s) * loss + s / 2;
        } else {
            terms.total = terms.total + fixedWeights_[task] * loss;
        }
    }
    return terms;
}

std::vector<double> MultiTaskLossImpl::weights() const {
    if (!logVariances_.defined()) return fixedWeights_;
    std::vector<double> weights;
    const auto values = torch::exp(-logVariances_.detach()).to(torch::kCPU, torch::kDouble);
    for (std::int64_t task = 0; task < values.size(0); ++task) weights.push_back(values[task].item<double>());
    return weights;
}

} // namespace graft
