#pragma once

#include "common/Error.h"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace graft {

class ImageDecodeError : public Error {
public:
    using Error::Error;
};

enum class ColorMode { Gray, Rgb };

struct ImageShape {
    int width = 0;
    int height = 0;
    int channels = 0;
};

// Throws ImageDecodeError (with the path) for unreadable or empty files.
std::vector<std::uint8_t> readFileBytes(const std::filesystem::path& path);

// Whether the bytes start with the signature of a format Graft decodes (JPEG, PNG, BMP, TIFF,
// WebP, PNM): how files without an extension are recognised.
bool hasImageSignature(std::span<const std::uint8_t> encoded);

// Decodes fully, so a corrupt file is caught at import rather than at training time.
ImageShape probeImage(std::span<const std::uint8_t> encoded);

// 8-bit, one channel for Gray, RGB order (not OpenCV's BGR) for Rgb.
cv::Mat decodeImage(std::span<const std::uint8_t> encoded, ColorMode mode);

} // namespace graft
