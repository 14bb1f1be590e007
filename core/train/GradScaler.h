#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace graft {

// Loss scaling for mixed-precision training, as torch.cuda.amp.GradScaler does it (LibTorch
// 1.13 has none in C++): the loss is multiplied by the scale before backward so that small
// float16 gradients do not flush to zero; gradients are divided back before the optimizer
// step, which is skipped, and the scale halved, when any of them overflowed. After
// `growthInterval` clean steps the scale doubles.
class GradScaler {
public:
    explicit GradScaler(double scale = 65536.0, std::int64_t growthInterval = 2000)
        : scale_(scale), growthInterval_(growthInterval) {}

    torch::Tensor scale(const torch::Tensor& loss) const { return loss * scale_; }
    // Unscales the gradients in place; false (and a smaller scale) when one is not finite, in
    // which case the caller must skip the optimizer step.
    bool unscale(const std::vector<torch::Tensor>& parameters);

    double currentScale() const { return scale_; }
    std::int64_t stepsSinceChange() const { return stepsSinceChange_; }
    void restore(double scale, std::int64_t stepsSinceChange) { scale_ = scale, stepsSinceChange_ = stepsSinceChange; }

private:
    double scale_;
    std::int64_t growthInterval_;
    std::int64_t stepsSinceChange_ = 0;
};

} // namespace graft
