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

struct DemoProject {
    std::int64_t experimentId = 0;
    std::int64_t labelled = 0; // training images: 10 per digit
    std::int64_t heldOut = 0;  // the rest of the sheet, in the test split
};

// Creates the demo project at `path` from OpenCV's digits: 10 training images per digit, the
// other 4900 held out, and the experiment defined but not run. Built in a temporary file that
// is renamed into place, so a failure or a stop leaves nothing behind; refuses an existing path.
// Errors name the file, and for a missing sheet the Debian package to install.
DemoProject createDemoProject(const std::filesystem::path& path, const std::filesystem::path& digitsSheet = kOpenCvDigitsSheet,
                              const ImportOptions& options = {});

} // namespace graft
