#include "ConsoleTrainObserver.h"

#include <cstdio>
#include <string>

namespace graft::cli {

void ConsoleTrainObserver::onStep(const StepEvent& event) {
    char detail[64];
    std::snprintf(detail, sizeof detail, "loss %.4f", event.loss);
    const std::int64_t stepInEpoch = event.step - (event.epoch - 1) * event.stepsPerEpoch;
    progress_.update("epoch " + std::to_string(event.epoch), stepInEpoch, event.stepsPerEpoch, detail);
}

void ConsoleTrainObserver::onEpoch(const EpochEvent& event) {
    progress_.finish();
    if (quiet_) return;
    std::printf("epoch %d/%d  train loss %.4f", event.epoch, event.epochs, event.trainLoss);
    if (withAccuracy_) std::printf("  train acc %.4f", event.trainAccuracy);
    if (event.validated) std::printf("  val loss %.4f  val acc %.4f", event.valLoss, event.valAccuracy);
    if (event.unlabelledKeptShare) std::printf("  pseudo-labels kept %.1f%%", 100.0 * *event.unlabelledKeptShare);
    if (event.adaptationLoss) std::printf("  adaptation loss %.4f", *event.adaptationLoss);
    std::printf("  (%.1f s)\n", event.seconds);
    std::fflush(stdout);
}

void ConsoleTrainObserver::onLog(std::string_view message) {
    if (!quiet_) std::fprintf(stderr, "%.*s\n", int(message.size()), message.data());
}

} // namespace graft::cli
