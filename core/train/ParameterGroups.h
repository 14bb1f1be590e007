#pragma once

#include "models/Classifier.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace graft {

// A block's parameters, split as AdamW wants them: weight decay applies to weight matrices and
// kernels, never to biases or normalisation scales and shifts (every 1-D parameter).
struct BlockParameters {
    std::string block;
    std::vector<torch::Tensor> decayed;
    std::vector<torch::Tensor> undecayed;
};

// In block order. Throws naming a parameter that no block claims, so a freeze cannot miss it.
std::vector<BlockParameters> parametersByBlock(ClassifierImpl& model);

// Learning-rate multiplier per trainable block, from --lr-mult:
//   ""              every block 1
//   "LO,HI"         a geometric ramp over `trainableBlocks` in order, LO for the first, HI for
//                   the last (the head), like fastai's slice(lo, hi)
//   "A=x,B=y"       those blocks x and y, the others 1
// Throws naming a malformed number or a block that is not trainable.
std::map<std::string, double> learningRateMultipliers(const std::string& text,
                                                      const std::vector<std::string>& trainableBlocks);

// requires_grad off for the parameters of frozen blocks, on for the rest.
void applyFreeze(const std::vector<BlockParameters>& parameters, const std::set<std::string>& frozen);

// Training mode, except that the modules of frozen blocks stay in eval mode: their BatchNorm
// keeps its running statistics and its dropout is off.
void setTrainingModes(ClassifierImpl& model, const std::vector<NetworkBlock>& blocks, const std::set<std::string>& frozen);

} // namespace graft
