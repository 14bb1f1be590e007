#pragma once

#include "data/ImageDecoding.h"
#include "data/SyntheticShapes.h"
#include "data/TensorDataset.h"
#include "models/Architectures.h"

#include <map>

namespace graft::testing {

// Generated circles/squares/triangles as TinyNet-ready tensors (class ids 0, 1, 2).
inline LabeledTensors shapesTensors(int perClass, std::uint64_t seed) {
    const std::map<std::string, std::int64_t> classIds = {{"circle", 0}, {"square", 1}, {"triangle", 2}};
    std::vector<ImageForTraining> images;
    for (auto& image : generateShapes(perClass, seed)) images.push_back({std::move(image.png), classIds.at(image.label)});
    return toTensors(images, {{0, 0}, {1, 1}, {2, 2}}, architectureSpec("tinynet").preprocess);
}

} // namespace graft::testing
