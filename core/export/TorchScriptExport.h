#pragma once

#include <filesystem>

namespace graft {

class ClassifierImpl;

struct TorchScriptExportOptions {
    bool softmax = false; // class probabilities instead of logits
};

// Writes `model` as a TorchScript file that runs without Graft (Python's torch.jit.load, or
// LibTorch): its forward() spelled out in aten ops, in inference mode (BatchNorm on its running
// statistics, no dropout), with the weights as parameters under their state_dict names ('.'
// becomes '_'). Input: N x C x H x W float images, preprocessed as for the model. The file is
// written atomically. Every native architecture is supported (writeClassifier); anything else is
// refused, naming the module that cannot be written.
void exportTorchScript(ClassifierImpl& model, const std::filesystem::path& file, const TorchScriptExportOptions& options = {});

} // namespace graft
