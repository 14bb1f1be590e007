#include "metrics/Unfamiliarity.h"

#include "common/Error.h"

#include <algorithm>
#include <cmath>

namespace graft {

double unfamiliarBelow(std::vector<double> heldOutConfidences, double percentile) {
    if (heldOutConfidences.empty()) throw Error("an unfamiliarity threshold needs held-out images");
    std::sort(heldOutConfidences.begin(), heldOutConfidences.end());
    const double position = percentile / 100 * double(heldOutConfidences.size() - 1);
    const auto below = std::size_t(std::floor(position));
    const auto above = std::min(below + 1, heldOutConfidences.size() - 1);
    const double fraction = position - double(below);
    return heldOutConfidences[below] + fraction * (heldOutConfidences[above] - heldOutConfidences[below]);
}

} // namespace graft
