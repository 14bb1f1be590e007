#pragma once

#include "train/TrainObserver.h"

#include <vector>

namespace graft {

// Forwards every event to each observer in order (the recorder first, then the front end).
class FanOutObserver : public TrainObserver {
public:
    explicit FanOutObserver(std::vector<TrainObserver*> observers) : observers_(std::move(observers)) {}

    void onStep(const StepEvent& event) override {
        for (auto* observer : observers_) observer->onStep(event);
    }
    void onEpoch(const EpochEvent& event) override {
        for (auto* observer : observers_) observer->onEpoch(event);
    }
    void onCheckpoint(const CheckpointEvent& event) override {
        for (auto* observer : observers_) observer->onCheckpoint(event);
    }
    void onLog(std::string_view message) override {
        for (auto* observer : observers_) observer->onLog(message);
    }

private:
    std::vector<TrainObserver*> observers_;
};

} // namespace graft
