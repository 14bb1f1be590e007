#pragma once

#include "models/Classifier.h"

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace graft {

// Activations at a freeze boundary, kept in memory and keyed by everything they depend on: the
// frozen blocks' names, parameters and buffers (bytes), and the inputs: the caller's key for them
// (project images: their stored SHA-256s and the preprocessing), or the preprocessed tensor's
// bytes. Any change to either computes them afresh. Shared by
// the runs of one process, so seeds and arms that freeze the same backbone on the same images
// compute the frozen part once.
class FeatureCache {
public:
    // Runs blocks[0, prefixLength) of `model` (in eval mode, no autograd) over `inputs` in
    // batches, or returns the stored result. Empty when a stop request cut it short. `modelInput`
    // turns a batch of `inputs` into what the model takes on `device` (uint8 pixels normalised,
    // say); without it the batch only moves there.
    std::optional<torch::Tensor> features(ClassifierImpl& model, const std::vector<NetworkBlock>& blocks,
                                          std::size_t prefixLength, const torch::Tensor& inputs, const std::string& inputsKey,
                                          int batchSize, torch::Device device, std::stop_token stop = {},
                                          const std::function<torch::Tensor(const torch::Tensor&)>& modelInput = {});

    // SHA-256 over the prefix's block names, parameters and buffers, and `inputsKey`, or when
    // that is empty the inputs' bytes.
    static std::string keyFor(ClassifierImpl& model, const std::vector<NetworkBlock>& blocks, std::size_t prefixLength,
                              const torch::Tensor& inputs, const std::string& inputsKey);

    std::int64_t hits() const { return hits_; }
    std::int64_t misses() const { return misses_; }
    std::int64_t bytes() const;

private:
    std::map<std::string, torch::Tensor> entries_;
    std::int64_t hits_ = 0;
    std::int64_t misses_ = 0;
};

} // namespace graft
