#pragma once

#include "data/Preprocess.h"

#include <torch/script.h>

namespace graft {

// Defines `preprocess(images)` on `module`: Graft's evaluation transform (preprocessForEval) in
// the same aten ops, so an exported model can take decoded pixels. Input: uint8 H x W x C, or
// N x H x W x C images of one size, with C = spec.channels() (RGB order); output: N x C x crop x
// crop floats, equal to preprocessForEval's. Anything else raises an error that says what it expects.
// Mean and std become buffers named preprocess_mean and preprocess_std.
void definePreprocess(torch::jit::Module& module, const PreprocessSpec& spec);

} // namespace graft
