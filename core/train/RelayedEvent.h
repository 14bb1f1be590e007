#pragma once

#include "project/FrozenWeights.h"
#include "train/TrainObserver.h"
#include "train/Trainer.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace graft {

// What a trainer in another process tells the one that keeps the project, one message each: its
// observer's events, then how the training ended.
struct RelayedEvent {
    enum class Kind { Step, Epoch, Checkpoint, Log, Outcome, Failure };
    Kind kind = Kind::Log;
    StepEvent step;
    EpochEvent epoch;
    CheckpointKind checkpointKind = CheckpointKind::Last;
    int checkpointEpoch = 0;
    std::int64_t checkpointStep = 0;
    std::vector<std::uint8_t> weights, trainingState;
    std::optional<FrozenWeights> frozen;
    std::string text; // a log line, or why the training failed
    TrainOutcome outcome;

    static RelayedEvent of(const StepEvent& event);
    static RelayedEvent of(const EpochEvent& event);
    static RelayedEvent of(const CheckpointEvent& event);
    static RelayedEvent log(std::string_view message);
    static RelayedEvent ended(const TrainOutcome& outcome);
    static RelayedEvent failed(std::string_view reason);

    // Step, Epoch, Checkpoint and Log events, as the trainer gave them.
    void replayTo(TrainObserver& observer) const;
    std::vector<std::uint8_t> toBytes() const;
    // Throws graft::Error when the bytes are not an event.
    static RelayedEvent fromBytes(std::span<const std::uint8_t> bytes);
};

} // namespace graft
