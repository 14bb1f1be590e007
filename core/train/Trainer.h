#pragma once

#include "data/TensorDataset.h"
#include "models/Classifier.h"
#include "train/TrainConfig.h"
#include "train/TrainObserver.h"

#include <torch/optim/optimizer.h>

#include <memory>
#include <stop_token>

namespace graft {

enum class TrainStatus { Finished, Cancelled };

struct TrainOutcome {
    TrainStatus status = TrainStatus::Finished;
    int epochsCompleted = 0;
    std::int64_t steps = 0;
    EpochEvent lastEpoch; // valid when epochsCompleted > 0
};

// Supervised training of a classifier on in-memory tensors. Polls the stop token before every
// batch, so a stop request ends training within one batch.
class Trainer {
public:
    Trainer(std::shared_ptr<ClassifierImpl> model, TrainConfig config, torch::Device device);

    // Throws graft::Error when the loss stops being finite.
    TrainOutcome train(const LabeledTensors& trainSet, const LabeledTensors& valSet, TrainObserver& observer,
                       std::stop_token stop);

private:
    std::unique_ptr<torch::optim::Optimizer> makeOptimizer() const;
    double learningRateAt(std::int64_t step, std::int64_t totalSteps) const;

    std::shared_ptr<ClassifierImpl> model_;
    TrainConfig config_;
    torch::Device device_;
};

} // namespace graft
