#pragma once

#include "models/PooledClassifier.h"

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

namespace graft {

enum class MobileNetV3Size { Small, Large };

// torchvision's MobileNetV3 (width 1.0) with the same parameter names: features.N.block.M...,
// squeeze-excitation fc1/fc2, classifier.0 and classifier.3.
class MobileNetV3Impl : public PooledClassifierImpl {
public:
    MobileNetV3Impl(MobileNetV3Size size, int numClasses);
};
TORCH_MODULE(MobileNetV3);

} // namespace graft
