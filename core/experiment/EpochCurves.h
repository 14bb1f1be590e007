#pragma once

#include "project/Database.h"

#include <cstdint>
#include <string>
#include <vector>

namespace graft {

// One epoch of one arm across its seeds: the mean and the range, for a chart's line and band.
struct SeedBand {
    std::int64_t epoch = 0;
    double mean = 0;
    double low = 0;
    double high = 0;
    int seeds = 0; // the seeds that have reached this epoch
};

struct ArmEpochCurve {
    std::string arm;
    std::vector<SeedBand> points; // by epoch
};

// A per-epoch metric (val_accuracy, val_loss, train_loss, ...) of an experiment's trials at one
// label budget (0: all), arm by arm in the order the arms first ran. A trial that was retried
// counts once, by its newest run. Trials still running contribute the epochs they have finished.
std::vector<ArmEpochCurve> epochCurves(Database& db, std::int64_t experimentId, std::int64_t labelsPerClass,
                                       const std::string& metric);

} // namespace graft
