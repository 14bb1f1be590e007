#pragma once

#include "project/RunStore.h"
#include "train/DataParallelGroup.h"
#include "train/RemoteTraining.h"
#include "train/TrainConfig.h"
#include "train/TrainObserver.h"

#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace graft {

struct TrainingRequest {
    std::filesystem::path project;
    TrainConfig config;      // of a new run; a resumed run keeps its own, but for the device
    std::int64_t resumeRun = 0; // continue this run from its last checkpoint; 0: start a new run
    std::string arm = "single";
    std::int64_t experimentId = 0; // the experiment this run is a trial of; 0: none
    std::filesystem::path saveWeightsTo; // empty: don't write a weights file
    // These labelled training images (SHA-256s) in place of the training split and labelsPerClass;
    // the run records their number as its trial's label budget. A resumed run needs the same ones.
    std::optional<std::vector<std::string>> trainingImages;
    // The label budget the run is recorded under, when an experiment arm caps its own labels
    // below the trial's (config.labelsPerClass then holds the cap); else config.labelsPerClass.
    std::optional<std::int64_t> trialBudget;
    // Rank 0 of a data-parallel run: the group's other ranks (trainAsWorker) receive the run from
    // this process and train it with it. Null: train alone.
    DataParallelGroup* dataParallel = nullptr;
    // Train on this other process (an experiment's rank), which gets the run as a package and
    // sends back its events; the record, checkpoints and evaluation stay here. Null: train here.
    RemoteTraining* remote = nullptr;
};

struct TrainingResult {
    std::int64_t runId = 0;
    RunStatus status = RunStatus::Finished;
    int epochsCompleted = 0;
    bool stoppedEarly = false;
    std::int64_t steps = 0;
    std::optional<double> valAccuracy;
    std::optional<double> valLoss;
    std::int64_t trainImages = 0;
    std::int64_t valImages = 0;
    std::string device;
    std::vector<std::string> initNotes; // what the initial weights did not cover
};

// One training run on a project, end to end: reads the labelled train/val splits (optionally k
// per class), builds the model (random or from a weights file), records the run, its metrics
// and checkpoints in the project, and marks it finished, cancelled or failed.
// Resuming continues a stopped run (interrupted, cancelled or failed) exactly where its last
// checkpoint left off, in the same run record; it refuses, without writing, a run that is
// running or finished, has no checkpoint, or whose training images or labels have changed.
TrainingResult runTraining(const TrainingRequest& request, TrainObserver& observer, std::stop_token stop);

} // namespace graft
