#pragma once

#include <string>

namespace graft {

// What --device asks for: "auto" (CUDA when there is a GPU), "cpu", "cuda" or "cuda:N".
struct DeviceRequest {
    enum class Kind { Auto, Cpu, Cuda };
    Kind kind = Kind::Auto;
    int index = 0; // the GPU, for Cuda

    // Throws graft::Error naming the accepted forms.
    static DeviceRequest parse(const std::string& text);
};

} // namespace graft
