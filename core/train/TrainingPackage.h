#pragma once

#include "data/Preprocess.h"
#include "data/TensorDataset.h"
#include "train/RunSpec.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace graft {

// What rank 0 sends another rank that trains a run (data parallel, or an experiment's trial),
// which never opens the project: the run's settings, its starting weights and its images. Or,
// when rank 0 could not start the run, why not. Held-out images never travel.
struct TrainingPackage {
    std::string refusal; // non-empty: rank 0 could not start the run, and the rest is empty
    RunSpec spec;        // with a multi-task run's heads
    std::vector<std::uint8_t> weights; // the model's at the start: initial, or a resumed run's checkpoint
    LabeledTensors trainSet;           // images undefined when they come encoded
    LabeledTensors valSet;             // empty for a data-parallel run's workers, which do not validate
    // The images that stay encoded (TrainingInputs): training and validation images of augmented
    // or streamed runs, and the unlabelled or target-domain pool.
    std::vector<std::vector<std::uint8_t>> trainEncoded, valEncoded, unlabelledEncoded;
    PreprocessSpec preprocess;
    std::string trainImagesKey, valImagesKey; // TrainingInputs' keys, for the feature cache
    std::vector<std::uint8_t> trainingState; // a resumed run's; empty for a new one

    std::vector<std::uint8_t> toBytes() const;
    // Throws graft::Error when the bytes are not a package (another Graft version's, say).
    static TrainingPackage fromBytes(std::span<const std::uint8_t> bytes);
};

} // namespace graft
