#pragma once

#include "export/RunExport.h"
#include "train/RunEvaluation.h"

#include <filesystem>
#include <optional>

namespace graft {

struct BundleReport {
    ExportReplay replay;
    double accuracy = 0; // the run's, on the replayed images (a multi-task run's: its tasks' mean)
    double ece = 0;      // and its expected calibration error there
    std::optional<TemperatureScaling> temperatureScaling; // fitted on validation images, when there are some
};

struct BundleOptions {
    // Record the temperature fitted on the validation images in calibration.json, for predict to
    // divide the logits by. Throws when the run has no validation images apart from the held-out ones.
    bool calibrate = false;
};

// Writes `folder`, which must not exist yet, for use outside Graft:
//   model.pt         TorchScript logits, kept only after the parity replay of exportRun
//   labels.json      class names in output order
//   preprocess.json  the exact input transform (PreprocessJson)
//   metrics.json     accuracy, per-class figures, confusion and calibration on the held-out
//                    images, the top softmax probability under which an input is unfamiliar
//                    (unfamiliarBelow), the replay's figures, and for a trial of an experiment
//                    its arm's paired result
//   calibration.json with BundleOptions::calibrate: the temperature for the logits
//   README.md        a model card: data, results, whether transfer helped, use and limits
// A multi-task run's model.pt returns a dictionary of each task's logits; labels.json lists each
// task with its classes ([{"task": ..., "classes": [...]}], in output order); metrics.json and the
// card give each task's figures and its verdict against the arm that learns it alone. It cannot
// be calibrated yet (a temperature per task).
// It is assembled beside `folder` and renamed into place, so a stop or an error leaves nothing.
BundleReport exportRunBundle(const std::filesystem::path& project, std::int64_t runId, const std::filesystem::path& folder,
                             const ProgressCallback& progress, std::stop_token stop, const BundleOptions& options = {});

} // namespace graft
