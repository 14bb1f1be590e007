#pragma once

#include "data/Preprocess.h"

#include <opencv2/core/mat.hpp>
#include <torch/types.h>

namespace graft {

// The image as the model saw it: a preprocessed C x H x W tensor with its normalisation undone,
// as 8-bit RGB (single-channel inputs are repeated into grey RGB).
cv::Mat viewedImage(const torch::Tensor& preprocessed, const PreprocessSpec& spec);

// A map in [0, 1] of the image's H x W, jet-coloured (blue low, red high) and laid half and half
// over the 8-bit RGB image, as pytorch-grad-cam's show_cam_on_image does.
cv::Mat heatMapOverlay(const cv::Mat& rgb, const torch::Tensor& map);

} // namespace graft
