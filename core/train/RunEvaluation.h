#pragma once

#include "metrics/ClassificationReport.h"
#include "metrics/Reliability.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stop_token>

namespace graft {

// Temperature scaling fitted on the validation images, applied to the evaluated split's logits.
struct TemperatureScaling {
    double temperature = 1;
    std::int64_t fittedImages = 0; // validation images
    double fittedNllBefore = 0;    // their mean NLL, before and after
    double fittedNllAfter = 0;
    Reliability after; // of the evaluated split, logits divided by the temperature
};

enum class TemperatureFit { None, OnValidation };

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
    std::vector<double> confidences;               // each image's top softmax probability, in order
    Reliability reliability;                       // of the split's softmax confidences
    // With TemperatureFit::OnValidation, when the run's classes have validation images and the
    // evaluated split is another one (fitting and measuring on the same images would flatter it).
    std::optional<TemperatureScaling> temperatureScaling;
};

// Evaluates a run's best checkpoint (by its validation metric; the last one when it never
// validated) on one split of its project: of a run with a target domain, that domain's images,
// except the validation split, which is its training domains' (RunDomains). The images and
// labels are those of the run's task; a multi-task run is judged one task at a time, on its head's
// outputs: `task` names it (for a one-task run it may be empty). Errors name the tasks there are.
RunEvaluationResult evaluateRun(const std::filesystem::path& project, std::int64_t runId, Split split,
                                std::stop_token stop = {}, TemperatureFit temperatureFit = TemperatureFit::None,
                                const std::string& task = {});

} // namespace graft
