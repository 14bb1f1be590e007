#include "train/LearningRateSchedule.h"

#include <algorithm>
#include <cmath>

namespace graft {
namespace {

// From `from` at progress 0 to `to` at progress 1 along half a cosine.
double cosineBetween(double from, double to, double progress) {
    return to + (from - to) * 0.5 * (1.0 + std::cos(M_PI * progress));
}

} // namespace

double LearningRateSchedule::factor(std::int64_t step) const {
    const auto total = std::max<std::int64_t>(totalSteps, 1);
    if (kind == "onecycle") {
        constexpr double kWarmFraction = 0.25, kStartDivisor = 25.0, kEndDivisor = 25.0 * 1e4;
        const double progress = double(step - 1) / double(total);
        if (progress < kWarmFraction) return cosineBetween(1.0 / kStartDivisor, 1.0, progress / kWarmFraction);
        return cosineBetween(1.0, 1.0 / kEndDivisor, (progress - kWarmFraction) / (1.0 - kWarmFraction));
    }
    if (kind == "exponential")
        return std::pow(finalFactor, double(step - 1) / double(std::max<std::int64_t>(total - 1, 1)));
    const auto warmup = std::min(warmupSteps, total - 1);
    if (step <= warmup) return double(step) / double(warmup);
    const auto afterWarmup = step - warmup - 1;
    if (kind == "step") return std::pow(gamma, double(afterWarmup / std::max<std::int64_t>(stepEvery, 1)));
    if (kind == "cosine") return 0.5 * (1.0 + std::cos(M_PI * double(afterWarmup) / double(total - warmup)));
    return 1.0;
}

} // namespace graft
