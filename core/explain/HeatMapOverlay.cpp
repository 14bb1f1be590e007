#include "explain/HeatMapOverlay.h"

#include "common/Error.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace graft {

cv::Mat viewedImage(const torch::Tensor& preprocessed, const PreprocessSpec& spec) {
    const auto channels = preprocessed.size(0);
    const auto mean = torch::tensor(std::vector<float>(spec.mean.begin(), spec.mean.begin() + channels)).view({-1, 1, 1});
    const auto std = torch::tensor(std::vector<float>(spec.std.begin(), spec.std.begin() + channels)).view({-1, 1, 1});
    auto pixels = (preprocessed.detach().cpu().to(torch::kFloat32) * std + mean).mul(255).round().clamp(0, 255);
    pixels = pixels.to(torch::kUInt8).permute({1, 2, 0}).contiguous();
    cv::Mat image(int(pixels.size(0)), int(pixels.size(1)), CV_8UC(int(channels)), pixels.data_ptr<std::uint8_t>());
    if (channels == 3) return image.clone();
    cv::Mat rgb;
    cv::cvtColor(image, rgb, cv::COLOR_GRAY2RGB);
    return rgb;
}

cv::Mat heatMapOverlay(const cv::Mat& rgb, const torch::Tensor& map) {
    if (rgb.type() != CV_8UC3 || map.dim() != 2 || map.size(0) != rgb.rows || map.size(1) != rgb.cols)
        throw Error("a heat map overlay needs an 8-bit RGB image and a map of the same height and width");
    const auto levels = map.detach().cpu().to(torch::kFloat32).clamp(0, 1).mul(255).round().to(torch::kUInt8).contiguous();
    const cv::Mat gray(rgb.rows, rgb.cols, CV_8UC1, levels.data_ptr<std::uint8_t>());
    cv::Mat colours;
    cv::applyColorMap(gray, colours, cv::COLORMAP_JET);
    cv::cvtColor(colours, colours, cv::COLOR_BGR2RGB);
    cv::Mat overlay;
    cv::addWeighted(colours, 0.5, rgb, 0.5, 0, overlay);
    return overlay;
}

} // namespace graft
