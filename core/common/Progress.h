#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace graft {

struct Progress {
    std::string_view stage;
    std::int64_t done = 0;
    std::int64_t total = 0;
};

// Called from whichever thread does the work; front ends marshal it themselves.
using ProgressCallback = std::function<void(const Progress&)>;

} // namespace graft
