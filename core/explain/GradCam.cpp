#include "explain/GradCam.h"

#include "common/Error.h"
#include "models/Classifier.h"

#include <torch/autograd.h>
#include <torch/nn/functional/upsampling.h>

#include <algorithm>

namespace graft {
namespace {

// pytorch-grad-cam's scale_cam_image: the epsilon keeps a flat map finite.
torch::Tensor minMaxScaled(const torch::Tensor& map) {
    const auto shifted = map - map.min();
    return shifted / (1e-7 + shifted.max());
}

std::string blockNames(const std::vector<NetworkBlock>& blocks) {
    std::string names;
    for (const auto& block : blocks) names += (names.empty() ? "" : ", ") + block.name;
    return names;
}

} // namespace

std::string lastConvolutionalBlock(ClassifierImpl& model) {
    const auto blocks = model.blocks();
    const auto pool = std::find_if(blocks.begin(), blocks.end(), [](const NetworkBlock& block) { return block.name == "pool"; });
    if (pool == blocks.begin() || pool == blocks.end())
        throw Error("Grad-CAM needs a convolutional stage before global pooling; this model's blocks are " +
                    blockNames(blocks));
    return std::prev(pool)->name;
}

GradCamMap gradCam(ClassifierImpl& model, const torch::Tensor& image, const GradCamOptions& options) {
    if (image.dim() != 3) throw Error("Grad-CAM takes one C x H x W image");
    const auto blocks = model.blocks();
    const std::string blockName = options.block.empty() ? lastConvolutionalBlock(model) : options.block;
    const auto target = std::find_if(blocks.begin(), blocks.end(), [&](const NetworkBlock& block) { return block.name == blockName; });
    if (target == blocks.end()) throw Error("no block named \"" + blockName + "\"; the blocks are " + blockNames(blocks));

    torch::Tensor activations;
    {
        torch::NoGradGuard noGrad; // gradients are needed from the block's output on, not before it
        activations = image.unsqueeze(0);
        for (auto block = blocks.begin(); block <= target; ++block) activations = block->forward(activations);
    }
    if (activations.dim() != 4)
        throw Error("block \"" + blockName + "\" outputs " + std::to_string(activations.dim()) +
                    "-D features, not a spatial map; Grad-CAM needs a convolutional block such as \"" +
                    lastConvolutionalBlock(model) + "\"");
    activations = activations.detach().requires_grad_(true);
    torch::Tensor logits = activations;
    {
        torch::AutoGradMode withGrad(true);
        for (auto block = std::next(target); block != blocks.end(); ++block) logits = block->forward(logits);
    }
    logits = logits.squeeze(0);
    const auto classes = logits.size(0);
    const std::int64_t targetClass = options.targetClass.value_or(logits.argmax().item<std::int64_t>());
    if (targetClass < 0 || targetClass >= classes)
        throw Error("class " + std::to_string(targetClass) + " is out of range: the model has " + std::to_string(classes) +
                    " classes");
    const auto gradients = torch::autograd::grad({logits[targetClass]}, {activations})[0];

    torch::NoGradGuard noGrad;
    const auto weights = gradients.mean({2, 3}, /*keepdim=*/true);
    const auto blockMap = (weights * activations).sum(1).squeeze(0).clamp_min(0);
    namespace F = torch::nn::functional;
    const auto resized = F::interpolate(minMaxScaled(blockMap).unsqueeze(0).unsqueeze(0),
                                        F::InterpolateFuncOptions()
                                            .size(std::vector<std::int64_t>{image.size(1), image.size(2)})
                                            .mode(torch::kBilinear)
                                            .align_corners(false));
    return {blockName, targetClass, logits.detach(), blockMap, minMaxScaled(resized.squeeze(0).squeeze(0))};
}

} // namespace graft
