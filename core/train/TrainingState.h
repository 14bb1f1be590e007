#pragma once

#include <torch/types.h>

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace graft {

// Where a run stands between two steps.
struct TrainingProgress {
    int epoch = 1;                // the epoch in progress, 1-based
    int preparedEpoch = 0;        // the last epoch whose freeze plan the optimizer has seen
    std::int64_t position = 0;    // images of this epoch already trained on
    std::int64_t steps = 0;
    torch::Tensor order;          // this epoch's image order; defined when position > 0
    double lossSum = 0;           // over the epoch's trained images so far
    std::int64_t correct = 0;
    double bestScore = -INFINITY; // of the validation metric that picks the best checkpoint
    int epochsWithoutGain = 0;
    double lossScale = 0;         // mixed precision's loss scale (0: full precision)
    std::int64_t stepsSinceScaleChange = 0;
    double unlabelledKept = 0;    // semi-supervised: pseudo-labels kept this epoch so far...
    std::int64_t unlabelledSeen = 0; // ...of this many unlabelled images
    double adaptationLossSum = 0; // CORAL or DANN: the adaptation term summed over this epoch's steps
};

// With the model's weights, everything that continues a run exactly as if it had not stopped:
// its progress, the optimizer's state, both random generators (batch order, and torch's
// default generator, which dropout draws from), the weights' average, DANN's domain classifier and uncertainty weighting's task variances. The unlabelled stream's
// position follows from the steps, so it needs no field.
struct TrainingState {
    TrainingProgress progress;
    std::string optimizer;       // torch::optim::Optimizer::save's archive
    torch::Tensor shufflerState; // at::Generator::get_state()
    torch::Tensor defaultGeneratorState;
    std::vector<torch::Tensor> averagedWeights; // config.emaDecay: the average of the parameters
    std::vector<torch::Tensor> domainClassifier; // DANN: its parameters, then its buffers
    torch::Tensor taskLogVariances;              // multi-task uncertainty weighting: each task's s; undefined without

    std::vector<std::uint8_t> toBytes() const;
    // Throws graft::Error when the bytes are not a training state written by this version.
    static TrainingState fromBytes(std::span<const std::uint8_t> bytes);
};

} // namespace graft
