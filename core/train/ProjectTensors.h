#pragma once

#include "data/ImageBytesSource.h"
#include "data/TensorDataset.h"
#include "project/ProjectStore.h"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace graft {

// Maps the project's class ids to a model's output indices, given the model's class names.
std::map<std::int64_t, std::int64_t> classIndexByName(ProjectStore& store, const std::vector<std::string>& classNames);

// Loads the images as uint8 pixels (toPixels), for a Trainer told to normalise them
// (Trainer::normalisePixelsWith); images of classes the model does not know are left out.
LabeledTensors loadPixels(ProjectStore& store, const std::vector<LabeledImage>& images,
                          const std::map<std::int64_t, std::int64_t>& classIndex, const PreprocessSpec& spec);

// Images left encoded, for batches decoded as they are needed: where their bytes are, and their
// class indices.
struct EncodedImages {
    std::unique_ptr<ImageBytesSource> encoded;
    torch::Tensor labels; // N, int64
    std::int64_t size() const { return encoded ? encoded->size() : 0; }
};
// The images of classes the model knows, with their labels; their bytes stay in `project` until
// a batch is decoded (ProjectImageBytes), so none are held.
EncodedImages streamedFromProject(const std::filesystem::path& project, const std::vector<LabeledImage>& images,
                                  const std::map<std::int64_t, std::int64_t>& classIndex);

// What loadPixels' result holds, named without decoding it: SHA-256 over the SHA-256s of the
// images it keeps, in order, and the preprocessing.
std::string tensorsKey(const std::vector<LabeledImage>& images, const std::map<std::int64_t, std::int64_t>& classIndex,
                       const PreprocessSpec& spec);

} // namespace graft
