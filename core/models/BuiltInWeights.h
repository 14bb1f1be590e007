#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace graft {

// Pretrained weights made by `graft-cli pretrain` and compiled into Graft (resources/pretrained),
// so they work offline and cannot go missing. Wherever a weights file is accepted, "builtin:NAME"
// names one of them.
struct BuiltInWeights {
    std::string name;
    std::string arch;
    std::string manifestJson; // how they were made: source data, recipe, seed, held-out accuracy, SHA-256
    std::span<const std::uint8_t> bytes;
    int sourceClasses = 0;           // of the data they were pretrained on (the head's outputs)
    double sourceTestAccuracy = 0;   // on that data's held-out test images
};

inline constexpr std::string_view kBuiltInWeightsPrefix = "builtin:";

std::vector<BuiltInWeights> builtInWeights();
// Throws, listing the known names, for an unknown name.
BuiltInWeights builtInWeights(const std::string& name);

} // namespace graft
