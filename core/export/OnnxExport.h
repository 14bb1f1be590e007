#pragma once

#include "train/TaskHead.h"

#include <filesystem>
#include <vector>

namespace graft {

class ClassifierImpl;

struct OnnxExportOptions {
    int channels = 3;     // of the input images
    int imageSize = 224;  // their height and width (the preprocessing's crop)
    bool softmax = false; // class probabilities instead of logits
    // A multi-task model's heads: an output per head, named by its task (softmax taken per head),
    // instead of one "logits" output.
    std::vector<HeadColumns> heads{};
};

// Writes `model` as an ONNX file (IR 7, opset 13; built with libonnx1's generated classes): input
// "images" N x channels x imageSize x imageSize float32, output "logits" (or "probabilities")
// N x classes, the weights as initializers under their state_dict names, with every BatchNorm
// folded into the convolution before it (BatchNormFolding: the convolution's weight and a new
// bias under its name, no BatchNorm initializers). Inference mode, as writeClassifier. The model
// must pass onnx::checker before it is written, atomically; unsupported modules are refused by path.
void exportOnnx(ClassifierImpl& model, const std::filesystem::path& file, const OnnxExportOptions& options);

} // namespace graft
