#include "PeakMemory.h"

#include <fstream>
#include <string>

namespace graft::cli {

void resetPeakMemory() {
    // "5" resets the peak to the current resident size (Linux >= 4.0).
    std::ofstream("/proc/self/clear_refs") << "5";
}

std::int64_t peakMemoryBytes() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("VmHWM:")) return std::stoll(line.substr(6)) * 1024;
    return 0;
}

} // namespace graft::cli
