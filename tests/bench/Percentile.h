#pragma once

#include <algorithm>
#include <vector>

// The value at `fraction` (0.99: p99) of the sorted values, the largest for 1; 0 for none.
inline double percentile(std::vector<double> values, double fraction) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, std::size_t(fraction * double(values.size())))];
}
