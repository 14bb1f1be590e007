#pragma once

#include "train/DataParallelGroup.h"

#include <torch/nn/module.h>

#include <functional>
#include <stop_token>

namespace graft {

// Running statistics trail the weights: BatchNorm averages the last ten or so batches' statistics
// while the weights move, so a model evaluated straight after training normalises with stale
// numbers. On the digits protocol (100 training images, Adam 1e-3) that cost scratch models
// 3-27 points of held-out accuracy and made them the noisiest arm.
//
// Re-estimates the running statistics of the model's BatchNorm layers that are in training mode
// (frozen blocks keep theirs) from the batches `forwardNextBatch` runs through the model; it
// returns false when there are none left. Each layer gets the exact per-channel mean and unbiased
// variance of everything it saw, pooled over all batches (as one batch of the whole set would
// give), not an average of per-batch figures: that average misses the spread between batches, so
// batches that each hold one class understate the variance, and a short last batch counts as much
// as a full one. The layers normalise with each batch's statistics meanwhile, as in training, so
// batches should be a random draw of the set. Everything else is in eval mode, so dropout draws
// nothing. Leaves the model in eval mode. On a stop request the statistics are put back as they
// were and it returns false.
// With BatchNormLayers::All, frozen layers too: AdaBN's statistics of another domain.
// With `ranks` (a data-parallel run, every rank calling it with the same model), each rank
// passes only its share of the batches and the ranks pool what their layers saw: every rank ends
// with the statistics of all the shares' batches together, as one process passing them all would,
// in a W-th of the time. It returns false on every rank when any was stopped.
enum class BatchNormLayers { Trainable, All };
bool recalibrateBatchNorm(torch::nn::Module& model, const std::function<bool()>& forwardNextBatch, std::stop_token stop,
                          BatchNormLayers layers = BatchNormLayers::Trainable, DataParallelGroup* ranks = nullptr);

} // namespace graft
