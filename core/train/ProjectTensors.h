#pragma once

#include "data/TensorDataset.h"
#include "project/ProjectStore.h"

#include <map>
#include <string>
#include <vector>

namespace graft {

// Maps the project's class ids to a model's output indices, given the model's class names.
std::map<std::int64_t, std::int64_t> classIndexByName(ProjectStore& store, const std::vector<std::string>& classNames);

// Loads and preprocesses the images; images of classes the model does not know are left out.
LabeledTensors loadTensors(ProjectStore& store, const std::vector<LabeledImage>& images,
                           const std::map<std::int64_t, std::int64_t>& classIndex, const PreprocessSpec& spec);

// Images left encoded, for batches decoded as they are needed: their bytes and class indices.
struct EncodedImages {
    std::vector<std::vector<std::uint8_t>> encoded;
    torch::Tensor labels; // N, int64
};
// The images' bytes with their labels; images of classes the model does not know are left out.
EncodedImages loadEncoded(ProjectStore& store, const std::vector<LabeledImage>& images,
                          const std::map<std::int64_t, std::int64_t>& classIndex);

// What loadTensors' result holds, named without decoding it: SHA-256 over the SHA-256s of the
// images it keeps, in order, and the preprocessing.
std::string tensorsKey(const std::vector<LabeledImage>& images, const std::map<std::int64_t, std::int64_t>& classIndex,
                       const PreprocessSpec& spec);

} // namespace graft
