#pragma once

#include "data/OpenCvDigits.h"

#include <cstdint>
#include <vector>

namespace graft {

// Printed digits: the source domain of the domain-shift benchmark, whose target is OpenCV's
// handwritten digits. Each is drawn with one of OpenCV's eight Hershey faces (30 % in italics),
// a stroke 2 to 5 px thick at a glyph height near 60 px, turned up to 15 degrees either way,
// then cut as the handwritten sheet's digits are: its ink scaled into a 14 to 17 px box, centred
// (give or take a pixel) in a 20 px cell, on a 4 px black border: 28 x 28, white on black.
// `index` numbers them in order; the same seed draws the same digits.
std::vector<DigitImage> renderPrintedDigits(int perDigit, std::uint64_t seed);

} // namespace graft
