#pragma once

#include "data/Preprocess.h"
#include "project/ProjectStore.h"

#include <torch/types.h>

#include <map>
#include <vector>

namespace graft {

struct LabeledTensors {
    torch::Tensor images; // N x C x H x W, float32, normalised; undefined when augmenting from encoded images
    torch::Tensor labels; // N, int64 class indices
    std::int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

// Decodes and preprocesses every image (in parallel on torch's intra-op pool). classIndex maps
// a project's class id to the model's output index.
LabeledTensors toTensors(const std::vector<ImageForTraining>& images, const std::map<std::int64_t, std::int64_t>& classIndex,
                         const PreprocessSpec& spec);

} // namespace graft
