#include "train/CheckpointWeights.h"

#include "common/Error.h"
#include "common/Sha256.h"
#include "models/Weights.h"

namespace graft {

bool inFrozenBlock(const std::string& tensorName, const std::vector<NetworkBlock>& blocks, const std::set<std::string>& frozen) {
    for (const auto& block : blocks)
        if (frozen.contains(block.name))
            for (const auto& prefix : block.parameterPrefixes)
                if (tensorName.starts_with(prefix)) return true;
    return false;
}

FrozenWeights frozenWeights(const ClassifierImpl& model, const std::vector<NetworkBlock>& blocks, const std::set<std::string>& frozen) {
    FrozenWeights part;
    part.weights = serializeWeights(model, [&](const std::string& name) { return inFrozenBlock(name, blocks, frozen); });
    part.sha256 = sha256Hex(part.weights);
    return part;
}

std::vector<std::uint8_t> unfrozenWeights(const ClassifierImpl& model, const std::vector<NetworkBlock>& blocks,
                                          const std::set<std::string>& frozen) {
    return serializeWeights(model, [&](const std::string& name) { return !inFrozenBlock(name, blocks, frozen); });
}

void loadCheckpointWeights(torch::nn::Module& model, std::span<const std::uint8_t> weights, const FrozenWeights* frozen,
                           const std::string& source) {
    auto tensors = unpickleTensors(weights, source);
    if (frozen) {
        if (sha256Hex(frozen->weights) != frozen->sha256)
            throw Error(source + ": the frozen blocks' weights it refers to (" + frozen->sha256.substr(0, 12) +
                        ") are missing or damaged in the project");
        auto frozenTensors = unpickleTensors(frozen->weights, source + " (frozen blocks)");
        tensors.insert(tensors.end(), std::make_move_iterator(frozenTensors.begin()), std::make_move_iterator(frozenTensors.end()));
    }
    loadAllWeights(model, tensors, source);
}

void loadCheckpointWeights(torch::nn::Module& model, const StoredCheckpoint& checkpoint, const std::string& source) {
    loadCheckpointWeights(model, checkpoint.weights, checkpoint.frozen ? &*checkpoint.frozen : nullptr, source);
}

} // namespace graft
