#pragma once

#include "train/TrainingSession.h"

#include <cstdint>
#include <filesystem>

namespace graft::testing {

// Resumes a stopped run of `project` from its last checkpoint and trains it to its end, quietly.
inline TrainingResult resumedToTheEnd(const std::filesystem::path& project, std::int64_t run) {
    TrainingRequest resume;
    resume.project = project;
    resume.resumeRun = run;
    TrainObserver quiet;
    return runTraining(resume, quiet, {});
}

} // namespace graft::testing
