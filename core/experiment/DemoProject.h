#pragma once

#include "data/ImportReport.h"
#include "data/OpenCvDigits.h"

#include <cstdint>
#include <filesystem>
#include <string>

namespace graft {

// Where `graft-cli demo` and Help > Open demo project keep the demo: $XDG_DATA_HOME/graft/demo.graft,
// else ~/.local/share/graft/demo.graft.
std::filesystem::path defaultDemoProjectPath();

// The demo's experiment: TinyNet pretrained on Fashion-MNIST (builtin:tinynet-fmnist), fully
// fine-tuned, against the same network from scratch and a linear probe, 10 seeds (3 cannot
// separate them: see README), at 5 and 10 labels per class, so the label-efficiency curve shows
// where transfer's lead fades; the acceptance protocol's recipe (Adam 1e-3, probe 1e-2, batch 32,
// 2000 images seen).
std::string demoExperimentSpecJson();

// The demo's second experiment: what the unlabelled digits add. Fine-tuning and scratch as in
// the first, each also with FixMatch (mu 2, tau 0.95, the run's images unaugmented as the weak
// view) on the unlabelled pool and the training labels the budget leaves out; judged against
// fine-tuning, 5 seeds (a FixMatch trial costs about 15 supervised ones here).
std::string demoUnlabelledExperimentSpecJson();

struct DemoProject {
    std::int64_t experimentId = 0;           // demoExperimentSpecJson's
    std::int64_t unlabelledExperimentId = 0; // demoUnlabelledExperimentSpecJson's
    std::int64_t labelled = 0;   // training images: 10 per digit
    std::int64_t unlabelled = 0; // about half the rest: the unlabelled pool (in the training split)
    std::int64_t heldOut = 0;    // the other half, in the test split
};

// Creates the demo project at `path` from OpenCV's digits: 10 labelled training images per
// digit, of the other 490 per digit alternately one unlabelled and one held out, and both
// experiments defined but not run. Built in a temporary file that
// is renamed into place, so a failure or a stop leaves nothing behind; refuses an existing path.
// Errors name the file, and for a missing sheet the Debian package to install.
DemoProject createDemoProject(const std::filesystem::path& path, const std::filesystem::path& digitsSheet = kOpenCvDigitsSheet,
                              const ImportOptions& options = {});

} // namespace graft
