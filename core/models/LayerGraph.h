#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace graft {

struct LayerGraphBlock {
    std::string name;
    std::string type;
    std::int64_t parameters = 0;
    std::vector<std::int64_t> outputShape; // for one image
    std::uint64_t flops = 0;               // multiply and add counted separately (2 per MAC)
};

// A backbone's blocks in order, as the freeze UI and `graft-cli zoo show` present them.
struct LayerGraph {
    std::string arch;
    std::vector<std::int64_t> inputShape;
    std::vector<LayerGraphBlock> blocks;

    std::int64_t totalParameters() const;
    std::uint64_t totalFlops() const;
};

// Runs one image of inputSize x inputSize (0: the architecture's own crop size) through each
// block, recording its output shape and the FLOPs of the operations that actually ran.
LayerGraph buildLayerGraph(const std::string& arch, int numClasses = 1000, int inputSize = 0);

} // namespace graft
