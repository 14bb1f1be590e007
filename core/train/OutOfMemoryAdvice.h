#pragma once

#include "train/TrainConfig.h"

#include <exception>
#include <optional>
#include <string>

namespace graft {

// When `error` is an out-of-memory (LibTorch's CPU or CUDA allocator, or std::bad_alloc), what
// to change instead: the batch size first. nullopt for every other error.
std::optional<std::string> outOfMemoryAdvice(const std::exception& error, const TrainConfig& config);

} // namespace graft
