#pragma once

namespace graft {

// Caps the threads useCpuCores (ComputeSetup) gives any work from now on, for a user who wants
// cores left for other programs; 0 lifts the cap. Process-wide.
void setCpuThreadLimit(int threads);
int cpuThreadLimit();

} // namespace graft
