#pragma once

#include "common/Progress.h"
#include "project/RunStore.h"
#include "train/TrainConfig.h"
#include "train/TrainObserver.h"

#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace graft {

struct PretrainingRequest {
    std::string name;                                  // e.g. tinynet-fmnist; names the files written
    std::vector<std::filesystem::path> trainSources;   // anything `graft-cli import` accepts, labelled
    std::vector<std::filesystem::path> testSources;    // held out, for the manifest's accuracy; may be empty
    TrainConfig config;
    std::filesystem::path outputFolder;
    std::string command; // the command line that makes these weights, recorded in the manifest
};

struct PretrainingResult {
    RunStatus status = RunStatus::Finished;
    std::filesystem::path weightsFile;  // NAME.pt: the whole classifier, head included
    std::filesystem::path manifestFile; // NAME.json: source data, recipe, seed, accuracy, SHA-256
    std::int64_t trainImages = 0;
    std::int64_t testImages = 0;
    std::optional<double> testAccuracy;
    std::string sha256;
};

// Trains a backbone on a labelled source dataset, as a zoo entry is made: imports the sources
// into a scratch project beside the output (removed afterwards), trains on every training image,
// measures held-out accuracy, and writes NAME.pt with its manifest NAME.json. Nothing is written
// unless training finishes; errors name the source or file.
PretrainingResult pretrainBackbone(const PretrainingRequest& request, TrainObserver& observer,
                                   const ProgressCallback& importProgress, std::stop_token stop);

} // namespace graft
