#pragma once

#include "data/Preprocess.h"

#include <torch/script.h>

#include <filesystem>
#include <string>
#include <vector>

namespace graft {

// A bundle written by exportRunBundle, read back the way any other program would: the TorchScript
// file, the class names and the input transform.
struct LoadedBundle {
    torch::jit::Module model;
    std::vector<std::string> labels;
    PreprocessSpec input;
};

// Errors name the folder and the file that is missing or malformed.
LoadedBundle loadBundle(const std::filesystem::path& folder);

} // namespace graft
