#pragma once

#include "data/SyntheticShapes.h"

#include "TempDir.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <string>

namespace graft::testing {

// Generated shapes as PNG files in ImageFolder layout: folder/<circle|square|triangle>/N.png.
inline void writeShapesFolder(const std::filesystem::path& folder, int perClass, std::uint64_t seed, int size = 28) {
    int counter = 0;
    for (const auto& image : generateShapes(perClass, seed, size))
        writeFile(folder / image.label / (std::to_string(counter++) + ".png"), std::string(image.png.begin(), image.png.end()));
}

// The same layout with every pixel inverted (dark shapes on a light ground): another domain.
inline void writeInvertedShapesFolder(const std::filesystem::path& folder, int perClass, std::uint64_t seed) {
    int counter = 0;
    for (const auto& image : generateShapes(perClass, seed)) {
        cv::Mat decoded = cv::imdecode(image.png, cv::IMREAD_UNCHANGED);
        cv::bitwise_not(decoded, decoded);
        std::vector<std::uint8_t> png;
        cv::imencode(".png", decoded, png);
        writeFile(folder / image.label / (std::to_string(counter++) + ".png"), std::string(png.begin(), png.end()));
    }
}

} // namespace graft::testing
