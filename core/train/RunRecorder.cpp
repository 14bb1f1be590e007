#include "train/RunRecorder.h"

#include "project/ProjectFile.h"

#include <vector>

namespace graft {

RunRecorder::RunRecorder(const std::filesystem::path& project, std::int64_t runId)
    : db_(openProject(project)), runs_(db_), runId_(runId) {}

void RunRecorder::onStep(const StepEvent& event) {
    const Metric metrics[] = {{"loss", event.loss}, {"lr", event.learningRate}};
    runs_.addMetrics(runId_, event.step, event.epoch, metrics);
}

void RunRecorder::onEpoch(const EpochEvent& event) {
    std::vector<Metric> metrics = {
        {"train_loss", event.trainLoss}, {"train_accuracy", event.trainAccuracy}, {"epoch_seconds", event.seconds},
        {"data_wait_seconds", event.dataWaitSeconds}, {"recalibration_seconds", event.recalibrationSeconds},
        {"validation_seconds", event.validationSeconds}};
    if (event.validated) {
        metrics.push_back({"val_loss", event.valLoss});
        metrics.push_back({"val_accuracy", event.valAccuracy});
    }
    if (event.unlabelledKeptShare) metrics.push_back({"unlabelled_kept_share", *event.unlabelledKeptShare});
    if (event.adaptationLoss) metrics.push_back({"adaptation_loss", *event.adaptationLoss});
    for (const auto& task : event.tasks) {
        metrics.push_back({"val_loss/" + task.task, task.valLoss});
        metrics.push_back({"val_accuracy/" + task.task, task.valAccuracy});
        metrics.push_back({"task_weight/" + task.task, task.lossWeight});
    }
    runs_.addMetrics(runId_, event.step, event.epoch, metrics);
}

void RunRecorder::onCheckpoint(const CheckpointEvent& event) {
    runs_.saveCheckpoint(runId_, event.kind, event.epoch, event.step, event.weights, event.trainingState, event.frozen);
}

} // namespace graft
