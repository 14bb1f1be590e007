#pragma once

#include "data/Preprocess.h"
#include "data/TensorDataset.h"
#include "train/RunSpec.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace graft {

// What rank 0 of a data-parallel run sends the other ranks, which never open the project: the
// run's settings, its starting weights and the training images. Or, when rank 0 could not start
// the run, why not.
struct TrainingPackage {
    std::string refusal; // non-empty: rank 0 could not start the run, and the rest is empty
    RunSpec spec;
    std::vector<std::uint8_t> weights;       // the model's at the start: initial, or a resumed run's checkpoint
    LabeledTensors trainSet;                 // images undefined when they come encoded
    std::vector<std::vector<std::uint8_t>> encodedImages; // the training images encoded (augmented or streamed runs)
    PreprocessSpec preprocess;
    std::vector<std::uint8_t> trainingState; // a resumed run's; empty for a new one

    std::vector<std::uint8_t> toBytes() const;
    // Throws graft::Error when the bytes are not a package (another Graft version's, say).
    static TrainingPackage fromBytes(std::span<const std::uint8_t> bytes);
};

} // namespace graft
