#pragma once

#include "project/RunStore.h"
#include "train/TrainConfig.h"
#include "train/TrainObserver.h"

#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>

namespace graft {

struct SelfSupervisedRequest {
    std::filesystem::path project;
    std::string name; // names NAME.pt, NAME.json and the resumable NAME.partial in outputFolder
    std::filesystem::path outputFolder;
    // arch, inputSize, init (scratch, a weights file or builtin:NAME: continued pretraining),
    // epochs, batchSize, optimizer, learningRate, weightDecay, augment (the first view; the second
    // adds StrongAugmentation), seed, device, channelsLast, checkpointMinutes.
    TrainConfig config;
    bool resume = false; // continue from NAME.partial, written when the last attempt stopped
    std::string command; // the command line that makes these weights, recorded in the manifest
};

struct SelfSupervisedResult {
    RunStatus status = RunStatus::Finished;
    std::filesystem::path weightsFile;  // NAME.pt: the backbone, without a head; any init accepts it
    std::filesystem::path manifestFile; // NAME.json: source, recipe, seed, the kNN figures, SHA-256
    std::int64_t images = 0;            // labelled training images and the unlabelled pool
    int epochsCompleted = 0;
    // Cosine 20-nearest-neighbour accuracy on the validation images (the test images where there
    // are none), fitted on the labelled training images, of the features before and after; absent
    // without both kinds of image. Measured only: nothing is chosen by it.
    std::optional<double> knnAccuracy;
    std::optional<double> initialKnnAccuracy;
    std::string sha256;
};

// SimSiam (Chen & He 2021) on the project's labelled training images and its unlabelled pool,
// never a validation or test image: two views of each image (config.augment, and the same after
// StrongAugmentation) through the backbone, a projector and a predictor, under simSiamLoss.
// SimSiam because it needs neither negatives (SimCLR's large batches) nor a momentum encoder
// (BYOL's second copy of the network): it learns at the small batches and memory of a desktop.
// Polls the stop token before every batch; a stop, and every epoch's end and checkpointMinutes,
// write NAME.partial, from which request.resume continues exactly. Nothing but NAME.partial is
// written unless pretraining finishes. Errors name the project or the file.
SelfSupervisedResult pretrainSelfSupervised(const SelfSupervisedRequest& request, TrainObserver& observer,
                                            std::stop_token stop);

} // namespace graft
