#pragma once

#include <cstddef>
#include <cstdint>

namespace graft {

// LibTorch takes CPU tensors from glibc, which maps every block over 32 MB afresh and unmaps it
// when it is freed: a ResNet-18 pass at batch 32 then faults its 100 MB activations in page by
// page for every batch (2.2 M page faults, 4.9 s of a 16.7 s `graft-cli eval` in the kernel).
// While a CpuBlockCacheScope lives, freed blocks of at least kCachedBlockMinBytes wait, by size,
// for the next tensor of that size, up to kCachedBlocksLimitBytes; a pass that repeats its
// batches then reuses pages already mapped. When the last scope ends, the waiting blocks go back
// to the system, so an idle app holds none.
inline constexpr std::size_t kCachedBlockMinBytes = std::size_t(1) << 20;
inline constexpr std::size_t kCachedBlocksLimitBytes = std::size_t(512) << 20;

// One per long CPU operation (a run, an evaluation, a ranking), beside useCpuCores. The first
// scope makes the cache LibTorch's CPU allocator for the rest of the process.
class CpuBlockCacheScope {
public:
    CpuBlockCacheScope();
    ~CpuBlockCacheScope();
    CpuBlockCacheScope(const CpuBlockCacheScope&) = delete;
    CpuBlockCacheScope& operator=(const CpuBlockCacheScope&) = delete;
};

struct CpuBlockCacheCounts {
    std::int64_t reused = 0;      // large blocks handed out again
    std::int64_t fresh = 0;       // large blocks allocated anew
    std::int64_t waitingBytes = 0; // freed bytes waiting now
};
CpuBlockCacheCounts cpuBlockCacheCounts();

} // namespace graft
