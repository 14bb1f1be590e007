#pragma once

#include "data/Preprocess.h"
#include "train/TaskHead.h"

#include <filesystem>
#include <optional>

namespace graft {

class ClassifierImpl;

struct TorchScriptExportOptions {
    bool softmax = false; // class probabilities instead of logits
    // Baked in, forward() takes decoded uint8 images (see definePreprocess) instead of tensors.
    std::optional<PreprocessSpec> preprocess{};
    // A multi-task model's heads: forward() returns a Dict[str, Tensor], each head's outputs under
    // its task's name (softmax taken per head).
    std::vector<HeadColumns> heads{};
};

// Writes `model` as a TorchScript file that runs without Graft (Python's torch.jit.load, or
// LibTorch): its forward() spelled out in aten ops, in inference mode (BatchNorm on its running
// statistics, no dropout), with the weights as parameters under their state_dict names ('.'
// becomes '_'). Input: N x C x H x W float images, preprocessed as for the model, unless the
// preprocessing is baked in. The file is
// written atomically. Every native architecture is supported (writeClassifier); anything else is
// refused, naming the module that cannot be written.
void exportTorchScript(ClassifierImpl& model, const std::filesystem::path& file, const TorchScriptExportOptions& options = {});

} // namespace graft
