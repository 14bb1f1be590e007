#include "train/GradScaler.h"

namespace graft {

bool GradScaler::unscale(const std::vector<torch::Tensor>& parameters) {
    torch::NoGradGuard noGrad;
    torch::Tensor nonFinite;
    for (const auto& parameter : parameters) {
        auto grad = parameter.grad();
        if (!grad.defined()) continue;
        grad.mul_(1.0 / scale_);
        const auto count = grad.isfinite().logical_not().sum();
        nonFinite = nonFinite.defined() ? nonFinite + count : count;
    }
    // One device-to-host copy per step, not one per parameter.
    if (nonFinite.defined() && nonFinite.item<std::int64_t>() > 0) {
        scale_ /= 2;
        stepsSinceChange_ = 0;
        return false;
    }
    if (++stepsSinceChange_ >= growthInterval_) {
        scale_ *= 2;
        stepsSinceChange_ = 0;
    }
    return true;
}

} // namespace graft
