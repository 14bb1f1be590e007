#pragma once

#include "project/Database.h"
#include "project/RunStore.h"
#include "train/TrainObserver.h"

#include <filesystem>

namespace graft {

// Writes a run's metrics and checkpoints to the project through its own connection, one small
// transaction per event, so a killed process keeps everything up to its last step.
class RunRecorder : public TrainObserver {
public:
    RunRecorder(const std::filesystem::path& project, std::int64_t runId);

    void onStep(const StepEvent& event) override;
    void onEpoch(const EpochEvent& event) override;
    void onCheckpoint(const CheckpointEvent& event) override;

private:
    Database db_;
    RunStore runs_;
    std::int64_t runId_;
};

} // namespace graft
