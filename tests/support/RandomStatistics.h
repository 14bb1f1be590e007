#pragma once

#include "models/Architectures.h"
#include "models/Classifier.h"

#include <torch/nn/modules/batchnorm.h>

namespace graft::testing {

// A freshly initialised classifier whose BatchNorm layers carry non-trivial running statistics
// and affine parameters, in eval mode, so an export that mishandled them would show it.
inline std::shared_ptr<ClassifierImpl> classifierWithRandomStatistics(const std::string& arch, int classes) {
    torch::manual_seed(7);
    auto model = createClassifier(architectureSpec(arch), classes);
    torch::NoGradGuard noGrad;
    for (const auto& module : model->modules())
        if (auto* norm = dynamic_cast<torch::nn::BatchNorm2dImpl*>(module.get())) {
            norm->running_mean.uniform_(-0.5, 0.5);
            norm->running_var.uniform_(0.5, 2.0);
            norm->weight.uniform_(0.5, 1.5);
            norm->bias.uniform_(-0.2, 0.2);
        }
    model->eval();
    return model;
}

// A decoded image as the uint8 H x W x C tensor an export with baked-in preprocessing takes.
inline torch::Tensor pixelsOf(const cv::Mat& image) {
    return torch::from_blob(image.data, {image.rows, image.cols, image.channels()},
                            {std::int64_t(image.step[0]), image.channels(), 1}, torch::kUInt8)
        .clone();
}

// Two images of the architecture's channels, `size` pixels square.
inline torch::Tensor randomImages(const std::string& arch, int size) {
    return torch::randn({2, architectureSpec(arch).preprocess.channels(), size, size});
}

} // namespace graft::testing
