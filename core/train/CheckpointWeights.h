#pragma once

#include "models/Classifier.h"
#include "project/FrozenWeights.h"
#include "project/RunStore.h"

#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace graft {

// A checkpoint of a run with frozen blocks stores the other tensors, and refers to the frozen
// ones (FrozenWeights) by their SHA-256: they do not change while frozen, so the project keeps
// them once.

// True for a parameter or buffer of one of the `frozen` blocks.
bool inFrozenBlock(const std::string& tensorName, const std::vector<NetworkBlock>& blocks, const std::set<std::string>& frozen);

// The frozen blocks' tensors of `model` and their SHA-256.
FrozenWeights frozenWeights(const ClassifierImpl& model, const std::vector<NetworkBlock>& blocks, const std::set<std::string>& frozen);

// Every other tensor, as serializeWeights writes them.
std::vector<std::uint8_t> unfrozenWeights(const ClassifierImpl& model, const std::vector<NetworkBlock>& blocks,
                                          const std::set<std::string>& frozen);

// Loads a checkpoint into `model`: `weights` and, when given, the frozen part, whose bytes must
// match its SHA-256. Together they must cover the model exactly. Errors name `source`.
void loadCheckpointWeights(torch::nn::Module& model, std::span<const std::uint8_t> weights, const FrozenWeights* frozen,
                           const std::string& source);
// The same for a checkpoint read from the project.
void loadCheckpointWeights(torch::nn::Module& model, const StoredCheckpoint& checkpoint, const std::string& source);

} // namespace graft
