#pragma once

#include "data/ImageBytesSource.h"
#include "data/TensorDataset.h"
#include "models/Classifier.h"
#include "project/Database.h"
#include "project/ProjectStore.h"
#include "train/TaskHead.h"
#include "train/TrainConfig.h"
#include "train/TrainObserver.h"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace graft {

// What a run needs from a project before it trains: the classes, the (k-per-class) training
// and validation tensors, and the model seeded and initialised from config.init.
struct TrainingInputs {
    std::vector<std::string> classes;
    // With augmentation, or when the decoded images would exceed config.inputMemoryBudgetBytes,
    // labels only: the images are trainEncoded (valEncoded), read from the project and decoded
    // batch by batch (trainEncoded also when config.maxSteps ends the run within its first epoch).
    LabeledTensors trainSet;
    LabeledTensors valSet;
    std::unique_ptr<ImageBytesSource> trainEncoded;
    std::unique_ptr<ImageBytesSource> valEncoded;
    // Semi-supervised runs: the unlabelled pool's images (UnlabelledPool); domain adaptation: the
    // target domain's (targetDomainPool). Read from the project as they are decoded.
    std::unique_ptr<ImageBytesSource> unlabelledEncoded;
    PreprocessSpec preprocess;
    // SHA-256 over the training images in order with their class names (and, semi-supervised,
    // the unlabelled pool's): a resumed run checks that it trains on the same data.
    std::string trainFingerprint;
    // Without augmentation: SHA-256 over the training (validation) images' stored SHA-256s, in
    // order, and the preprocessing. The feature cache keys their features by it instead of hashing
    // the decoded tensors.
    std::string trainImagesKey, valImagesKey;
    std::shared_ptr<ClassifierImpl> model;
    std::vector<std::string> initNotes; // what the initial weights did not cover
    // A multi-task run's heads (config.tasks names several): `classes` are theirs one after
    // another, and the sets' labels are N x tasks, each a class index within its task's head or
    // kNoLabel. Empty for a run of one task.
    std::vector<TaskHead> tasks;
};

struct InitialModel {
    std::shared_ptr<ClassifierImpl> model;
    std::vector<std::string> notes; // what the initial weights did not cover
};
// config.arch at config.inputSize for `classes` classes, seeded by config.seed and initialised
// from config.init. Errors name the weights file when it is for another architecture.
InitialModel createInitialModel(const TrainConfig& config, int classes);

// Puts `trainImages` and `valImages` (labelled through classIndex) in `inputs`: decoded as uint8
// pixels, or left in the project and decoded batch by batch (augmented runs, images over
// config.inputMemoryBudgetBytes, and the training images of a run whose config.maxSteps end it
// before it has seen them all); sets the preprocessing and the images' keys.
void readImages(const std::filesystem::path& project, ProjectStore& store, const TrainConfig& config,
                const std::vector<LabeledImage>& trainImages, const std::vector<LabeledImage>& valImages,
                const std::map<std::int64_t, std::int64_t>& classIndex, TrainObserver& observer, TrainingInputs& inputs);

// Reads only. The run's task is the first unless config.tasks names one (several: a multi-task
// run, prepareMultiTaskInputs). Errors name the project (no labelled images) or the weights file (another
// architecture). `trainingImages` (SHA-256s of labelled training images, in order) replaces the
// training split and config.labelsPerClass: a labelling simulation's picks.
TrainingInputs prepareTrainingInputs(const std::filesystem::path& project, Database& db, const TrainConfig& config,
                                     TrainObserver& observer,
                                     const std::optional<std::vector<std::string>>& trainingImages = std::nullopt);

} // namespace graft
