#pragma once

#include <cstdint>
#include <string>

namespace graft {

// The factor each parameter group's base learning rate is multiplied by at a step (1-based):
//   constant; step (x gamma every `stepEvery` steps); cosine (to 0 at the last step);
//   onecycle (fastai's: cosine up from 1/25 over the first 25 %, then cosine down to 1/25e4);
//   exponential (from 1 to `finalFactor` at the last step: the LR finder's sweep).
// A linear warm-up over the first `warmupSteps` ramps every schedule but onecycle, which has
// its own, from 1/warmupSteps to 1; the schedule proper then runs over the remaining steps.
struct LearningRateSchedule {
    std::string kind = "cosine";
    std::int64_t totalSteps = 1;
    std::int64_t warmupSteps = 0;
    std::int64_t stepEvery = 1;
    double gamma = 0.1;
    double finalFactor = 1.0;

    double factor(std::int64_t step) const;
};

} // namespace graft
