#pragma once

#include "export/RunExport.h"

#include <filesystem>

namespace graft {

struct BundleReport {
    ExportReplay replay;
    double accuracy = 0; // the run's, on the replayed images
};

// Writes `folder`, which must not exist yet, for use outside Graft:
//   model.pt         TorchScript logits, kept only after the parity replay of exportRun
//   labels.json      class names in output order
//   preprocess.json  the exact input transform (PreprocessJson)
//   metrics.json     accuracy, per-class figures and confusion on the held-out images, the
//                    replay's figures, and for a trial of an experiment its arm's paired result
//   README.md        a model card: data, results, whether transfer helped, use and limits
// It is assembled beside `folder` and renamed into place, so a stop or an error leaves nothing.
BundleReport exportRunBundle(const std::filesystem::path& project, std::int64_t runId, const std::filesystem::path& folder,
                             const ProgressCallback& progress, std::stop_token stop);

} // namespace graft
