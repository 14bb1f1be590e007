#pragma once

#include "data/AugmentSpec.h"
#include "data/Preprocess.h"

#include <cstdint>

namespace graft {

// A C x crop x crop normalised image, augmented with draws from `seed` alone, so a batch is the
// same whichever thread makes it and whenever (the basis of exact resume).
// `decoded` is 8-bit, 1 or 3 channels (RGB order). Writes spec.channels() * crop * crop floats.
void augmentInto(const cv::Mat& decoded, const PreprocessSpec& spec, const AugmentSpec& augment, std::uint64_t seed,
                 float* destination);

} // namespace graft
