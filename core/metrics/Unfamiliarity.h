#pragma once

#include <vector>

namespace graft {

// The maximum-softmax baseline for inputs unlike the training data (Hendrycks & Gimpel 2017): an
// image is unfamiliar when its top softmax probability falls below the given percentile of the
// held-out images' (default the 5th). Percentiles interpolate linearly between order statistics,
// as numpy.percentile does. Throws for no held-out confidences.
double unfamiliarBelow(std::vector<double> heldOutConfidences, double percentile = 5);

// Under this many held-out images the 5th percentile is hardly more than their minimum, so
// nothing is flagged: with 3 images, a third of perfectly ordinary inputs would be.
inline constexpr int kFewestHeldOutToFlagUnfamiliar = 20;

} // namespace graft
