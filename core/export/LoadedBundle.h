#pragma once

#include "data/Preprocess.h"
#include "train/TaskHead.h"

#include <torch/script.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace graft {

// A bundle written by exportRunBundle, read back the way any other program would: the TorchScript
// file, the class names and the input transform.
struct LoadedBundle {
    torch::jit::Module model;
    std::vector<std::string> labels; // every output's class name, in order
    // A multi-task model's heads, in output order (labels.json lists each task with its classes);
    // its forward() returns a dictionary of each task's logits. Empty for one task.
    std::vector<TaskHead> tasks;
    PreprocessSpec input;
    double temperature = 1; // from calibration.json, when the export was calibrated: logits / T
    // From metrics.json, when it has them: the native architecture, and the top softmax
    // probability under which an input is unlike the held-out images.
    std::string arch;
    std::optional<double> unfamiliarBelow;
    std::int64_t heldOutImages = 0;
};

// Errors name the folder and the file that is missing or malformed. calibration.json and
// metrics.json are optional.
LoadedBundle loadBundle(const std::filesystem::path& folder);

} // namespace graft
