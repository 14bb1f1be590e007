#pragma once

#include "Console.h"

#include "train/TrainObserver.h"

namespace graft::cli {

// Draws step progress and prints one line per epoch (unless --json asked for quiet output).
// Self-supervised pretraining has a loss but no labels to be accurate on: `withAccuracy` false.
class ConsoleTrainObserver : public TrainObserver {
public:
    explicit ConsoleTrainObserver(bool quiet, bool withAccuracy = true) : quiet_(quiet), withAccuracy_(withAccuracy) {}
    void onStep(const StepEvent& event) override;
    void onEpoch(const EpochEvent& event) override;
    void onLog(std::string_view message) override;

private:
    bool quiet_;
    bool withAccuracy_;
    ConsoleProgress progress_;
};

} // namespace graft::cli
