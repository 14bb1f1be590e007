#pragma once

#include "data/ImageDecoding.h"

#include <torch/types.h>

#include <array>

namespace graft {

enum class Interpolation { Bilinear, Bicubic };

// Evaluation preprocessing as torchvision composes it: Resize(shorter side) -> CenterCrop ->
// ToTensor (/255) -> Normalize(mean, std), on RGB (or single-channel) images.
struct PreprocessSpec {
    int resizeShorter = 28;
    int crop = 28;
    ColorMode color = ColorMode::Gray;
    Interpolation interpolation = Interpolation::Bilinear;
    std::array<float, 3> mean{0.5f, 0.5f, 0.5f};
    std::array<float, 3> std{0.5f, 0.5f, 0.5f};

    int channels() const { return color == ColorMode::Gray ? 1 : 3; }
    // The same transform at another crop, its resize scaled in proportion (rounded): ImageNet's
    // Resize(256) + CenterCrop(224) becomes Resize(183) + CenterCrop(160).
    PreprocessSpec atCrop(int newCrop) const;
};

// Returns a C x crop x crop float32 tensor, computed with the same torch operations, in the
// same order, as torchvision's transforms on a uint8 image tensor, so the numbers are identical.
// Shrinking is antialiased, as PIL (with which the ImageNet weights were evaluated) and
// torchvision >= 0.17 do; enlarging is plain interpolation, as in torchvision's tensor path.
// `decoded` is 8-bit, 1 or 3 channels (RGB order). normalisedPixels(pixelsForEval(...)).
torch::Tensor preprocessForEval(const cv::Mat& decoded, const PreprocessSpec& spec);

// The same transform's first half: resized and cropped, still uint8 (C x crop x crop), which is
// where torchvision rounds too, so images kept this way take a quarter of the memory and lose
// nothing.
torch::Tensor pixelsForEval(const cv::Mat& decoded, const PreprocessSpec& spec);
// Its second half, on [N x] C x H x W uint8 pixels on any device: ToTensor and Normalize, the
// same operations in the same order, so the floats equal preprocessForEval's bit for bit.
torch::Tensor normalisedPixels(const torch::Tensor& pixels, const PreprocessSpec& spec);

} // namespace graft
