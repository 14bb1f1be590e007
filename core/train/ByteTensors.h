#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace graft {

// Bytes as a uint8 tensor and back: how byte strings travel inside pickled messages
// (TrainingPackage, RelayedEvent).
inline torch::Tensor tensorOfBytes(const std::vector<std::uint8_t>& bytes) {
    return torch::from_blob(const_cast<std::uint8_t*>(bytes.data()), {std::int64_t(bytes.size())}, torch::kUInt8).clone();
}

inline std::vector<std::uint8_t> bytesOfTensor(const torch::Tensor& tensor) {
    const auto contiguous = tensor.contiguous();
    const auto* data = contiguous.data_ptr<std::uint8_t>();
    return {data, data + contiguous.numel()};
}

} // namespace graft
