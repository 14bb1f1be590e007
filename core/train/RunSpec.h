#pragma once

#include "train/TaskHead.h"
#include "train/TrainConfig.h"

#include <string>
#include <vector>

namespace graft {

// What a run needs to be evaluated or resumed later: its configuration and the class names in
// the order of the model's outputs. Stored as the runs.config JSON.
struct RunSpec {
    TrainConfig config;
    std::vector<std::string> classes;
    std::string trainFingerprint; // TrainingInputs::trainFingerprint; empty in runs before resume existed
    // A multi-task run's heads, whose classes are `classes` one task after another; empty: one task.
    std::vector<TaskHead> tasks;

    std::string toJson() const;
    static RunSpec fromJson(const std::string& json);
};

} // namespace graft
