#pragma once

#include <functional>
#include <stop_token>
#include <string>
#include <vector>

namespace graft {

class ClassifierImpl;

// How far images move one block's BatchNorm layers from the statistics stored in them. A
// pretrained layer's running mean and variance are its source data's (ImageNet's, say) as the
// weights remember them, so the shift needs no source image. Per channel it is the symmetric
// Kullback-Leibler divergence between the Gaussians N(mu_s, var_s + eps) of the layer and
// N(mu_t, var_t + eps) of the images' inputs to it (unbiased variance, as the layer keeps it):
//   1/4 (v_t / v_s + v_s / v_t - 2) + 1/4 (mu_t - mu_s)^2 (1 / v_s + 1 / v_t);
// a layer's shift is its channels' mean, a block's its layers' mean. 0: the images look like
// the source to that block.
struct BlockShift {
    std::string block;
    double shift = 0;
    int layers = 0; // BatchNorm layers in the block; 0: nothing to measure there
};

// Runs the model in eval mode (as it predicts) while `forwardNextBatch` feeds it batches, until it
// returns false, observing every BatchNorm layer's input. One entry per block, in order. Throws
// graft::Error when stopped or when no batch was fed.
std::vector<BlockShift> batchNormShift(ClassifierImpl& model, const std::function<bool()>& forwardNextBatch,
                                       std::stop_token stop);

// The block that shifts most, in plain words: "layer3 shifts most: fine-tune from layer3 on";
// a model without BatchNorm gets a sentence saying that nothing could be measured.
std::string shiftReading(const std::vector<BlockShift>& shifts);

} // namespace graft
