#pragma once

#include "data/ImageDecoding.h"

#include <array>

namespace graft {

// Evaluation preprocessing as torchvision composes it: Resize(shorter side) -> CenterCrop ->
// ToTensor (/255) -> Normalize(mean, std), on RGB (or single-channel) images.
struct PreprocessSpec {
    int resizeShorter = 28;
    int crop = 28;
    ColorMode color = ColorMode::Gray;
    std::array<float, 3> mean{0.5f, 0.5f, 0.5f};
    std::array<float, 3> std{0.5f, 0.5f, 0.5f};

    int channels() const { return color == ColorMode::Gray ? 1 : 3; }
};

// Returns a continuous CV_32FC(channels) image of crop x crop, normalised.
cv::Mat preprocessForEval(const cv::Mat& decoded, const PreprocessSpec& spec);

} // namespace graft
