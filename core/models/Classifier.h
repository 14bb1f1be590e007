#pragma once

#include <torch/nn/module.h>

namespace graft {

// What the trainer needs of any image classifier: logits for a batch of N x C x H x W images.
class ClassifierImpl : public torch::nn::Module {
public:
    virtual torch::Tensor forward(torch::Tensor images) = 0;
};

} // namespace graft
