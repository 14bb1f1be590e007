#pragma once

#include "data/Preprocess.h"
#include "project/ProjectStore.h"

#include <torch/types.h>

#include <map>
#include <vector>

namespace graft {

struct LabeledTensors {
    // N x C x H x W: float32, normalised; or uint8 pixels (toPixels) that the Trainer normalises
    // batch by batch. Undefined when the images stay encoded.
    torch::Tensor images;
    torch::Tensor labels; // N, int64 class indices
    std::int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

// Decodes and preprocesses every image (in parallel on torch's intra-op pool). classIndex maps
// a project's class id to the model's output index.
LabeledTensors toTensors(const std::vector<ImageForTraining>& images, const std::map<std::int64_t, std::int64_t>& classIndex,
                         const PreprocessSpec& spec);
// The same, stopping at uint8 pixels (pixelsForEval): a quarter of the memory.
LabeledTensors toPixels(const std::vector<ImageForTraining>& images, const std::map<std::int64_t, std::int64_t>& classIndex,
                        const PreprocessSpec& spec);

} // namespace graft
