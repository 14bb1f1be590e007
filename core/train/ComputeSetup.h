#pragma once

#include <torch/types.h>

#include <string>

namespace graft {

// LibTorch starts with one intra-op thread here; use every core.
void useAllCores();

// A DeviceRequest text. "auto" picks the first GPU when there is one; asking for a GPU that is
// not there is an error that says which there are.
torch::Device resolveDevice(const std::string& text);

} // namespace graft
