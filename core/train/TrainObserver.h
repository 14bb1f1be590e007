#pragma once

#include "project/CheckpointKind.h"
#include "project/FrozenWeights.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace graft {

struct StepEvent {
    std::int64_t step = 0; // 1-based, counted over the whole run
    int epoch = 0;         // 1-based
    std::int64_t stepsPerEpoch = 0;
    double loss = 0;
    double learningRate = 0;
};

// One task's figures in a multi-task run's epoch.
struct TaskEpochFigures {
    std::string task;
    double valLoss = 0;
    double valAccuracy = 0;
    double lossWeight = 1; // fixed, or uncertainty weighting's exp(-s) at the epoch's end
};

struct EpochEvent {
    int epoch = 0;
    int epochs = 0;
    std::int64_t step = 0;
    double trainLoss = 0;
    double trainAccuracy = 0;
    bool validated = false; // false when the project has no validation images
    double valLoss = 0;
    double valAccuracy = 0;
    double seconds = 0;
    double dataWaitSeconds = 0; // of `seconds`, spent waiting for augmented batches
    double recalibrationSeconds = 0; // of `seconds`, re-estimating BatchNorm statistics (this rank's share)
    double validationSeconds = 0;    // of `seconds`, validating
    std::optional<double> unlabelledKeptShare; // semi-supervised: unlabelled images whose pseudo-label was kept
    std::optional<double> adaptationLoss;      // CORAL or DANN: the epoch's mean adaptation term, unweighted
    // Multi-task runs, validated: each task's figures; valLoss and valAccuracy are then the tasks' mean.
    std::vector<TaskEpochFigures> tasks;
};

struct CheckpointEvent {
    CheckpointKind kind = CheckpointKind::Last;
    int epoch = 0; // the last completed epoch
    std::int64_t step = 0;
    std::span<const std::uint8_t> weights;
    std::span<const std::uint8_t> trainingState; // TrainingState bytes; empty for the best checkpoint
    const FrozenWeights* frozen = nullptr;       // the frozen blocks' tensors, which `weights` then leaves out
};

// Receives a job's events on the worker thread. Implementations must not touch UI objects;
// a UI adapter re-emits them as queued signals.
class TrainObserver {
public:
    virtual ~TrainObserver() = default;
    virtual void onStep(const StepEvent&) {}
    virtual void onEpoch(const EpochEvent&) {}
    virtual void onCheckpoint(const CheckpointEvent&) {}
    virtual void onLog(std::string_view /*message*/) {}
};

} // namespace graft
