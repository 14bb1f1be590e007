#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace graft {

// The tensors of a run's frozen blocks, which its checkpoints leave out: the project keeps them
// once per content (table frozen_weights), whatever the number of checkpoints and runs.
struct FrozenWeights {
    std::string sha256;                // of `weights`
    std::vector<std::uint8_t> weights; // serializeWeights' format: a pickled {name: tensor} dict
};

} // namespace graft
