#pragma once

#include <opencv2/core.hpp>

#include <cstdint>
#include <string_view>

namespace graft {

// The strong view of FixMatch (Sohn et al. 2020): RandAugment-style operations on a decoded 8-bit
// image (1 or 3 channels, RGB order), each computed as torchvision.transforms.functional computes
// it on a uint8 tensor, with OpenCV.
enum class StrongOperation {
    AutoContrast,
    Equalize,
    Rotate,     // argument: degrees, counter-clockwise, about the centre
    Solarize,   // argument: threshold; values at or above it are inverted
    Posterize,  // argument: bits kept (1-8)
    ShearX,     // argument: shear factor (the tangent of the angle), about the top-left corner
    ShearY,
    TranslateX, // argument: pixels
    TranslateY,
    Brightness, // argument: factor; 1 keeps the image
    Contrast,
    Sharpness,
};

std::string_view strongOperationName(StrongOperation operation);

// One operation with its argument (unused by AutoContrast and Equalize). Geometric operations
// sample the nearest pixel and fill what comes from outside the image with black.
cv::Mat applyStrongOperation(const cv::Mat& image, StrongOperation operation, double argument);

// A `size` x `size` square whose top-left corner is (x, y), clipped to the image, painted grey
// (127), as torchvision's erase.
cv::Mat cutout(const cv::Mat& image, int x, int y, int size);

// FixMatch's RandAugment: two operations drawn from the twelve, each applied with probability 1/2
// at a magnitude drawn from its range (rotate ±30°, shear ±0.3, translate ±30 % of the side,
// posterize 4-8 bits, solarize threshold 0-256, brightness, contrast and sharpness 0.05-0.95),
// then a cutout of half the shorter side at a random place. Every draw comes from `seed` alone.
cv::Mat strongAugment(const cv::Mat& image, std::uint64_t seed);

} // namespace graft
