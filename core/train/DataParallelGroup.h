#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace graft {

// The processes that train one run together (data parallel): what the Trainer and the training
// session need from them. ProcessGroup (core/distributed) provides it over LibTorch's c10d; no
// other code sees c10d. Every rank must make the same calls in the same order.
class DataParallelGroup {
public:
    virtual ~DataParallelGroup() = default;
    virtual int rank() const = 0;
    virtual int worldSize() const = 0;
    bool leads() const { return rank() == 0; }
    // Every rank's tensors summed, in place on every rank (an allreduce in buckets).
    virtual void sum(std::vector<torch::Tensor>& tensors) = 0;
    // Rank 0's tensors, copied into every other rank's (same shapes).
    virtual void broadcast(std::vector<torch::Tensor>& tensors) = 0;
    // Rank 0's bytes, returned on every rank (the others' `bytes` are ignored).
    virtual std::vector<std::uint8_t> broadcastBytes(std::vector<std::uint8_t> bytes) = 0;
};

} // namespace graft
