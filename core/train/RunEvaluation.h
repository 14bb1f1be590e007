#pragma once

#include "metrics/ClassificationReport.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"

#include <cstdint>
#include <filesystem>
#include <stop_token>

namespace graft {

struct RunEvaluationResult {
    std::int64_t runId = 0;
    Split split = Split::Test;
    std::int64_t checkpointEpoch = 0;
    bool bestCheckpoint = false; // the best validated epoch's weights, not the last
    std::int64_t images = 0;
    double accuracy = 0;
    double loss = 0;
    ClassificationReport report;
    std::vector<Misclassification> misclassified; // in the split's order
};

// Evaluates a run's best checkpoint (by its validation metric; the last one when it never
// validated) on one split of its project.
RunEvaluationResult evaluateRun(const std::filesystem::path& project, std::int64_t runId, Split split,
                                std::stop_token stop = {});

} // namespace graft
