#pragma once

#include "Console.h"

#include "train/TrainObserver.h"

namespace graft::cli {

// Draws step progress and prints one line per epoch (unless --json asked for quiet output).
class ConsoleTrainObserver : public TrainObserver {
public:
    explicit ConsoleTrainObserver(bool quiet) : quiet_(quiet) {}
    void onStep(const StepEvent& event) override;
    void onEpoch(const EpochEvent& event) override;
    void onLog(std::string_view message) override;

private:
    bool quiet_;
    ConsoleProgress progress_;
};

} // namespace graft::cli
