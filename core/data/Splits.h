#pragma once

#include "project/ProjectStore.h"

#include <cstdint>
#include <string>
#include <vector>

namespace graft {

struct SplitRatios {
    double val = 0.1;
    double test = 0.1;
};

struct SplitAssignment {
    std::string sha256;
    Split split = Split::Train;
};

// Per class: order by hash, shuffle with a generator seeded by (seed, class), then take
// round(n * val) for validation and round(n * test) for test; the rest trains (at least one
// image per class). Independent of import order and of other classes, and identical on every
// platform (no std::shuffle, whose output the standard leaves unspecified).
std::vector<SplitAssignment> stratifiedSplit(const std::vector<LabeledImage>& images, const SplitRatios& ratios,
                                             std::uint64_t seed);

// Up to `perClass` images from each class, chosen by the same seeded per-class shuffle.
std::vector<LabeledImage> sampleEachClass(const std::vector<LabeledImage>& images, int perClass, std::uint64_t seed);

} // namespace graft
