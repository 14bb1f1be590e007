#pragma once

#include "models/PooledClassifier.h"

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

namespace graft {

// torchvision's EfficientNet-B0 with the same parameter names: features.0 (stem),
// features.1-7 (stages of MBConv blocks, features.N.M.block.K...), features.8 (head conv),
// classifier.1.
class EfficientNetB0Impl : public PooledClassifierImpl {
public:
    explicit EfficientNetB0Impl(int numClasses);

    static constexpr int kFeatureWidth = 1280;
};
TORCH_MODULE(EfficientNetB0);

} // namespace graft
