#pragma once

#include "models/PthReader.h"

#include <torch/nn/module.h>

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace graft {

// Weights travel as a pickled {name: tensor} dict of parameters and buffers, named as in a
// PyTorch state_dict, so Python's torch.load reads them too.
std::vector<std::uint8_t> serializeWeights(const torch::nn::Module& module);
// The same, of the tensors whose names `include` accepts.
std::vector<std::uint8_t> serializeWeights(const torch::nn::Module& module, const std::function<bool(const std::string&)>& include);
// The tensors of serializeWeights' bytes; `source` names them in errors.
NamedTensors unpickleTensors(std::span<const std::uint8_t> weights, const std::string& source);

struct WeightLoadReport {
    std::vector<std::string> loaded;
    std::vector<std::string> skipped; // "name: reason" for shape mismatches (a new head, say)
    std::vector<std::string> missing;    // in the module but not in the weights
    std::vector<std::string> unexpected; // in the weights but not in the module
};

// Copies every tensor whose name and shape match; the rest keep their values and are reported.
// `source` names the weights in errors.
WeightLoadReport loadMatchingWeights(torch::nn::Module& module, std::span<const std::uint8_t> weights,
                                     const std::string& source);

WeightLoadReport loadMatchingWeights(torch::nn::Module& module, const NamedTensors& tensors, const std::string& source);

// As loadMatchingWeights, but a shape mismatch, a missing or an unexpected tensor is an error
// naming it (and both shapes).
void loadAllWeights(torch::nn::Module& module, std::span<const std::uint8_t> weights, const std::string& source);
void loadAllWeights(torch::nn::Module& module, const NamedTensors& tensors, const std::string& source);

} // namespace graft
