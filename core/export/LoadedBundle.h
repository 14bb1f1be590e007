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
    double temperature = 1; // from calibration.json, when the export was calibrated: logits / T
};

// Errors name the folder and the file that is missing or malformed. calibration.json is optional.
LoadedBundle loadBundle(const std::filesystem::path& folder);

} // namespace graft
