#pragma once

#include <torch/types.h>

#include <cstdint>
#include <map>

namespace graft {

// Per-channel count, mean and sum of squared deviations of everything one BatchNorm layer saw,
// merged batch by batch with Chan et al.'s parallel formula, in double precision.
struct ChannelMoments {
    std::int64_t count = 0;
    torch::Tensor mean, squaredDeviations;

    void add(const torch::Tensor& input);
    // As PyTorch keeps running_var: divided by count - 1.
    torch::Tensor unbiasedVariance() const;
};

// The layers observed, by their running mean's storage: aten::batch_norm receives that tensor,
// so it names the module whose input is passing.
using BatchNormMoments = std::map<const void*, ChannelMoments>;

// While it lives, every aten::batch_norm call on this thread whose running mean is a key of
// `moments` adds its input to that entry, in training and in eval mode alike.
class BatchNormInputObserver {
public:
    explicit BatchNormInputObserver(BatchNormMoments& moments);
    ~BatchNormInputObserver();
    BatchNormInputObserver(const BatchNormInputObserver&) = delete;
    BatchNormInputObserver& operator=(const BatchNormInputObserver&) = delete;

private:
    std::uint64_t handle_;
};

} // namespace graft
