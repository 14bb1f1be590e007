#pragma once

#include "data/ImageDecoding.h"

#include <string>
#include <vector>

namespace graft::cli {

// Image paths given on the command line; a folder stands for every image under it, in sorted
// order. Throws for a folder that holds none.
std::vector<std::string> expandImages(const std::vector<std::string>& inputs);

// Decodes one image; errors (unreadable, corrupt) name the file.
cv::Mat decodeNamed(const std::string& image, ColorMode color);

} // namespace graft::cli
