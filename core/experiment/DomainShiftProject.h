#pragma once

#include "data/ImportReport.h"
#include "data/OpenCvDigits.h"

#include <cstdint>
#include <filesystem>
#include <string>

namespace graft {

// Where `graft-cli demo --domain-shift` keeps the benchmark: beside the demo project.
std::filesystem::path defaultDomainShiftProjectPath();

// The benchmark's experiment, judged against training on printed digits alone: AdaBN, Deep CORAL
// and DANN adapting to the handwritten training images (labels unread), and, as the yardsticks,
// 10 handwritten labels per digit and every handwritten training label. All TinyNet from scratch
// with one recipe (Adam 1e-3, batch 64, the same number of images seen), held-out figures on
// the handwritten test images; each arm's best checkpoint is chosen on its training domains'
// validation images (the printed ones), or is the schedule's end where it has none.
std::string domainShiftExperimentSpecJson(int seeds);

struct DomainShiftProject {
    std::int64_t experimentId = 0;
    std::int64_t printed = 0;               // labelled, domain "printed": training and validation
    std::int64_t handwrittenTraining = 0;   // labelled, domain "handwritten", training split: the target pool
    std::int64_t handwrittenHeldOut = 0;    // labelled, domain "handwritten", test split
};

// Creates the benchmark at `path`: `printedPerDigit` rendered digits per class (renderPrintedDigits,
// seed 0; nine in ten for training, the rest for validation) and OpenCV's 5000 handwritten ones,
// alternately training and test per digit in hash order. All or nothing; refuses an existing
// path; errors name the file, and for a missing sheet the Debian package to install.
DomainShiftProject createDomainShiftProject(const std::filesystem::path& path, int printedPerDigit, int seeds,
                                            const std::filesystem::path& digitsSheet = kOpenCvDigitsSheet,
                                            const ImportOptions& options = {});

} // namespace graft
