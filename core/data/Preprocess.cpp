#include "data/Preprocess.h"

#include "common/Error.h"

#include <torch/nn/functional/upsampling.h>

#include <algorithm>
#include <cmath>

namespace graft {
namespace {

// CenterCrop's offset is Python's round(), which rounds halves to even, as nearbyint does.
std::int64_t centredOffset(std::int64_t size, std::int64_t crop) {
    return std::int64_t(std::nearbyint(double(size - crop) / 2.0));
}

torch::Tensor resizeShorterSide(const torch::Tensor& image, const PreprocessSpec& spec) {
    const auto height = image.size(1), width = image.size(2);
    const auto shorter = std::min(height, width), longer = std::max(height, width);
    if (shorter == spec.resizeShorter) return image;
    // torchvision: int(size * long / short), truncating.
    const auto newLonger = std::int64_t(double(spec.resizeShorter * longer) / double(shorter));
    const std::vector<std::int64_t> size =
        height <= width ? std::vector<std::int64_t>{spec.resizeShorter, newLonger}
                        : std::vector<std::int64_t>{newLonger, spec.resizeShorter};
    namespace F = torch::nn::functional;
    auto options = F::InterpolateFuncOptions().size(size).align_corners(false).antialias(spec.resizeShorter < shorter);
    if (spec.interpolation == Interpolation::Bicubic) options.mode(torch::kBicubic);
    else options.mode(torch::kBilinear);
    auto resized = F::interpolate(image.unsqueeze(0).to(torch::kFloat32), options);
    if (spec.interpolation == Interpolation::Bicubic) resized = resized.clamp(0, 255);
    // torchvision rounds back to uint8 between resize and normalisation.
    return resized.round().to(torch::kUInt8).squeeze(0);
}

} // namespace

PreprocessSpec PreprocessSpec::atCrop(int newCrop) const {
    PreprocessSpec scaled = *this;
    scaled.crop = newCrop;
    scaled.resizeShorter = int(std::lround(double(resizeShorter) * newCrop / crop));
    return scaled;
}

torch::Tensor pixelsForEval(const cv::Mat& decoded, const PreprocessSpec& spec) {
    const int channels = decoded.channels();
    if (decoded.depth() != CV_8U || (channels != 1 && channels != 3))
        throw Error("preprocessing expects an 8-bit image with 1 or 3 channels");
    if (spec.crop > spec.resizeShorter)
        throw Error("preprocessing: crop " + std::to_string(spec.crop) + " is larger than the resized shorter side " +
                    std::to_string(spec.resizeShorter));
    const auto image = torch::from_blob(decoded.data, {decoded.rows, decoded.cols, channels},
                                        {std::int64_t(decoded.step[0]), channels, 1}, torch::kUInt8)
                           .permute({2, 0, 1});
    const auto resized = resizeShorterSide(image, spec);
    const auto top = centredOffset(resized.size(1), spec.crop), left = centredOffset(resized.size(2), spec.crop);
    // Always a copy: without a resize the crop would be a view of `decoded`, which may go first.
    return resized.slice(1, top, top + spec.crop).slice(2, left, left + spec.crop).clone(at::MemoryFormat::Contiguous);
}

torch::Tensor normalisedPixels(const torch::Tensor& pixels, const PreprocessSpec& spec) {
    const auto channels = pixels.size(-3);
    const auto options = torch::TensorOptions(torch::kFloat32).device(pixels.device());
    const auto mean = torch::tensor(std::vector<float>(spec.mean.begin(), spec.mean.begin() + channels), options).view({-1, 1, 1});
    const auto std = torch::tensor(std::vector<float>(spec.std.begin(), spec.std.begin() + channels), options).view({-1, 1, 1});
    return pixels.to(torch::kFloat32).div(255.0).sub(mean).div(std).contiguous();
}

torch::Tensor preprocessForEval(const cv::Mat& decoded, const PreprocessSpec& spec) {
    return normalisedPixels(pixelsForEval(decoded, spec), spec);
}

} // namespace graft
