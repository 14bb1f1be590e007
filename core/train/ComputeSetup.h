#pragma once

#include <torch/types.h>

#include <string>

namespace graft {

// LibTorch starts with one intra-op thread here; use every core.
void useAllCores();

// "auto" picks CUDA when available; "cuda" without a GPU is an error that says so.
torch::Device resolveDevice(const std::string& request);

} // namespace graft
