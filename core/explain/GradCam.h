#pragma once

#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace graft {

class ClassifierImpl;

struct GradCamOptions {
    std::optional<std::int64_t> targetClass; // unset: the predicted class
    std::string block;                       // empty: the last convolutional stage
};

struct GradCamMap {
    std::string block;
    std::int64_t targetClass = 0;
    torch::Tensor logits;   // the image's pre-softmax scores, 1-D
    torch::Tensor blockMap; // ReLU of the weighted channel sum at the block's resolution, unscaled
    torch::Tensor map;      // min-max scaled to [0, 1] and resized to the input's H x W
};

// The block whose output Grad-CAM reads by default: the last one before global pooling.
// Throws for a classifier without one (an imported TorchScript backbone is one opaque block).
std::string lastConvolutionalBlock(ClassifierImpl& model);

// Grad-CAM (Selvaraju et al. 2017) as pytorch-grad-cam computes it, for one preprocessed
// C x H x W image and a classifier in eval mode: channel weights are the spatial mean of the
// gradient of the target's pre-softmax score at the block's output; the map is the ReLU of the
// weighted channel sum, min-max scaled, bilinearly resized to H x W and scaled again.
// Throws for an unknown block, one whose output is not a spatial map, or a class out of range.
GradCamMap gradCam(ClassifierImpl& model, const torch::Tensor& image, const GradCamOptions& options = {});

} // namespace graft
