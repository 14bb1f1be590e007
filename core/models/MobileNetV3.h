#pragma once

#include "models/Classifier.h"

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

namespace graft {

enum class MobileNetV3Size { Small, Large };

// torchvision's MobileNetV3 (width 1.0) with the same parameter names: features.N.block.M...,
// squeeze-excitation fc1/fc2, classifier.0 and classifier.3.
class MobileNetV3Impl : public ClassifierImpl {
public:
    MobileNetV3Impl(MobileNetV3Size size, int numClasses);
    torch::Tensor forward(torch::Tensor images) override;
    // Globally pooled features before the classifier (576 for Small, 960 for Large).
    torch::Tensor features(torch::Tensor images);

private:
    torch::nn::Sequential features_{nullptr};
    torch::nn::Sequential classifier_{nullptr};
};
TORCH_MODULE(MobileNetV3);

} // namespace graft
