#pragma once

#include "common/Progress.h"
#include "project/ProjectStore.h"

#include <cstdint>
#include <filesystem>
#include <stop_token>

namespace graft {

// How an export compared with Graft on the images replayed through the written file.
struct ExportReplay {
    std::int64_t checkpointEpoch = 0;
    bool bestCheckpoint = false;
    Split split = Split::Test;     // held-out test images, else validation, else training
    std::int64_t images = 0;
    std::int64_t topOneAgreements = 0; // images whose top class from the file is Graft's
    double maxDifference = 0;          // the largest |file - Graft| over every output
    double tolerance = 0;              // what maxDifference had to stay within
};

enum class ExportFormat { TorchScript, Onnx };

struct RunExportOptions {
    ExportFormat format = ExportFormat::TorchScript;
    bool softmax = false; // class probabilities instead of logits
    // TorchScript only: the run's evaluation transform baked in, so the file takes decoded uint8
    // H x W x C images (definePreprocess). ONNX cannot: opset 13's Resize has no antialiasing.
    bool preprocess = false;
};

// An export is good only when every top-1 agrees and no output differs by more than this: 1e-5
// for TorchScript (the same kernels), 1e-4 for ONNX (another runtime's kernels).
double exportTolerance(ExportFormat format);

// Writes a run's trained classifier (its best checkpoint) to `file` as TorchScript or ONNX, then
// loads the file back with a runtime that is not Graft's model (LibTorch's TorchScript
// interpreter; OpenCV DNN for ONNX) and replays the run's held-out images through it against
// Graft's own model. A disagreement, a stop or any error removes the file and throws, naming the
// file and the figures; so a file left behind passed the replay. Progress counts replayed images.
ExportReplay exportRun(const std::filesystem::path& project, std::int64_t runId, const std::filesystem::path& file,
                       const RunExportOptions& options, const ProgressCallback& progress, std::stop_token stop);

} // namespace graft
