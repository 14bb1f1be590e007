#pragma once

#include "train/CpuThreadLimit.h"

#include <torch/types.h>

#include <string>

namespace graft {

// LibTorch starts with one intra-op thread here: give this thread's work every core (at most the
// CpuThreadLimit, when one is set), or its share of them while a CoreShare lives on this thread.
void useCpuCores();

// Trials running side by side each take a share of the cores (OpenMP's thread count is per
// calling thread), instead of all of them fighting over every core.
class CoreShare {
public:
    explicit CoreShare(int cores);
    ~CoreShare();
    CoreShare(const CoreShare&) = delete;
    CoreShare& operator=(const CoreShare&) = delete;

private:
    int previous_;
};

// A DeviceRequest text. "auto" picks the first GPU when there is one; asking for a GPU that is
// not there is an error that says which there are.
torch::Device resolveDevice(const std::string& text);
// How results name a device: "cpu", "cuda:0".
std::string describeDevice(const torch::Device& device);

} // namespace graft
