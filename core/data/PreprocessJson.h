#pragma once

#include "data/Preprocess.h"

#include <string>

namespace graft {

// The exact evaluation transform as JSON, for exports:
// {"resizeShorter": 28, "crop": 28, "color": "gray"|"rgb", "interpolation": "bilinear"|"bicubic",
//  "mean": [r, g, b], "std": [r, g, b], "order": "..."} ("order" documents the steps; it is not read).
std::string preprocessJson(const PreprocessSpec& spec);
// Throws naming `source` and the field that is missing or wrong.
PreprocessSpec preprocessFromJson(const std::string& json, const std::string& source);

} // namespace graft
