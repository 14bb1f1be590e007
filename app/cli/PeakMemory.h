#pragma once

#include <cstdint>

namespace graft::cli {

// This process's peak resident memory (VmHWM) since the last reset, so that one workload's peak
// can be told apart from what ran before it. Linux only; 0 where /proc says nothing.
void resetPeakMemory();
std::int64_t peakMemoryBytes();

} // namespace graft::cli
