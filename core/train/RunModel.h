#pragma once

#include "models/Architectures.h"
#include "project/Database.h"
#include "train/RunSpec.h"

#include <cstdint>
#include <memory>
#include <string>

namespace graft {

class ClassifierImpl;

// A recorded run's trained classifier, on the CPU in eval mode.
struct RunModel {
    RunSpec spec;
    ArchitectureSpec architecture;
    std::shared_ptr<ClassifierImpl> model;
    std::int64_t checkpointEpoch = 0;
    bool bestCheckpoint = false; // the best validated epoch's weights, not the last
};

// The run's best checkpoint (by its validation metric; the last one when it never validated).
// Errors start with `source` (the project and run, as the user named them).
RunModel loadRunModel(Database& db, std::int64_t runId, const std::string& source);

} // namespace graft
