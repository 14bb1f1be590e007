#pragma once

#include "data/SyntheticShapes.h"

#include "TempDir.h"

#include <filesystem>
#include <string>

namespace graft::testing {

// Generated shapes as PNG files in ImageFolder layout: folder/<circle|square|triangle>/N.png.
inline void writeShapesFolder(const std::filesystem::path& folder, int perClass, std::uint64_t seed, int size = 28) {
    int counter = 0;
    for (const auto& image : generateShapes(perClass, seed, size))
        writeFile(folder / image.label / (std::to_string(counter++) + ".png"), std::string(image.png.begin(), image.png.end()));
}

} // namespace graft::testing
