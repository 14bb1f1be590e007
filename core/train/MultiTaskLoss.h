#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace graft {

// An image's label in a task it has none in.
inline constexpr std::int64_t kNoLabel = -1;

// Several tasks' heads as consecutive columns of one logits matrix: task t's logits are columns
// [offset(t), offset(t) + classes(t)). Each head is then its own rows of the one head Linear, so
// freezing, caching features, checkpoints and export see an ordinary classifier, and a task's
// loss reaches only its own rows.
class TaskColumns {
public:
    // Throws graft::Error when there is no task or a task has fewer than two classes.
    explicit TaskColumns(std::vector<std::int64_t> classesPerTask);

    std::size_t tasks() const { return classes_.size(); }
    std::int64_t classes(std::size_t task) const { return classes_.at(task); }
    std::int64_t offset(std::size_t task) const { return offsets_.at(task); }
    std::int64_t total() const { return offsets_.back() + classes_.back(); }
    // N x classes(task), a view of `logits` (N x total()).
    torch::Tensor of(const torch::Tensor& logits, std::size_t task) const;

private:
    std::vector<std::int64_t> classes_, offsets_;
};

struct MultiTaskLossTerms {
    torch::Tensor total;                // scalar: what backward() runs on
    std::vector<double> perTask;        // each task's mean cross-entropy over its labelled images; 0 with none
    std::vector<std::int64_t> labelled; // the batch's images labelled in each task
};

// The weighted sum of the tasks' cross-entropies. Labels are N x tasks, kNoLabel where an image
// has no label in a task: it adds nothing to that task's loss, so nothing to its head's gradient.
// Each task's term is the mean over its labelled images, and a task with none in the batch adds
// 0. Weights are fixed, or learnt by uncertainty weighting (Kendall, Gal and Cipolla 2018): each
// task has s = log sigma^2, trained with the model, and adds exp(-s) L + s / 2, their eq. 10's
// classification term (1 / sigma^2) L + log sigma.
class MultiTaskLossImpl : public torch::nn::Module {
public:
    // Fixed weights, one per task.
    MultiTaskLossImpl(TaskColumns columns, std::vector<double> weights);
    // Uncertainty weighting, every s starting at 0 (weight 1).
    explicit MultiTaskLossImpl(TaskColumns columns);

    MultiTaskLossTerms forward(const torch::Tensor& logits, const torch::Tensor& labels);
    const TaskColumns& columns() const { return columns_; }
    // The weight exp(-s) (uncertainty) or the fixed weight of each task, as it is now.
    std::vector<double> weights() const;

private:
    TaskColumns columns_;
    std::vector<double> fixedWeights_;
    torch::Tensor logVariances_; // uncertainty weighting: one s per task; undefined with fixed weights
};
TORCH_MODULE(MultiTaskLoss);

} // namespace graft
