#pragma once

#include <cstdint>
#include <vector>

namespace graft {

// One confidence bin of a reliability diagram: images whose top softmax probability lies in
// (lower, upper], their mean confidence and their accuracy (both 0 when the bin is empty).
struct ReliabilityBin {
    double lower = 0;
    double upper = 0;
    std::int64_t count = 0;
    double confidence = 0;
    double accuracy = 0;
};

struct Reliability {
    std::vector<ReliabilityBin> bins;
    // Expected calibration error: the count-weighted mean |accuracy - confidence| over the bins.
    double ece = 0;
};

} // namespace graft
