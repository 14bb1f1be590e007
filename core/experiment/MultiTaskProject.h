#pragma once

#include "data/ImportReport.h"
#include "data/OpenCvDigits.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace graft {

// Where `graft-cli demo --multi-task` keeps its example: beside the demo project.
std::filesystem::path defaultMultiTaskProjectPath();

// Whether learning a digit's parity beside the digit helps either task: one TinyNet (from
// scratch, one recipe) with a head for each task, against one network per task, paired per seed
// and budget (labels per class of each task: a run of both tasks sees each task's labels that
// the single-task runs see). The digit-alone arm is the baseline.
std::string multiTaskExperimentSpecJson(int seeds, const std::vector<int>& budgets = {5, 20},
                                        std::int64_t minImagesSeen = 3000);

struct MultiTaskProject {
    std::int64_t experimentId = 0;
    std::int64_t images = 0;
    std::int64_t heldOut = 0; // the test split, labelled in both tasks
};

// Creates the example at `path`: OpenCV's 5000 handwritten digits labelled in task "digit"
// (0-9) and task "parity" (even, odd), split 80/10/10 by digit, with the experiment of
// multiTaskExperimentSpecJson(seeds). All or nothing; refuses an existing path; errors name the
// file, and for a missing sheet the Debian package to install.
MultiTaskProject createMultiTaskProject(const std::filesystem::path& path, int seeds,
                                        const std::filesystem::path& digitsSheet = kOpenCvDigitsSheet,
                                        const ImportOptions& options = {});

} // namespace graft
