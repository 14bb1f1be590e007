#pragma once

#include <torch/types.h>

namespace graft {

// Scores that predict, before any fine-tuning, how well a backbone will transfer to a labelled
// set; higher is better. Both take int64 labels 0..C-1 of N images.

// LogME (You et al., ICML 2021): the mean over classes of the log marginal evidence per image of
// a Bayesian linear model from `features` (N x D) to each class's one-hot column, with its prior
// and noise precisions maximised by the paper's fixed-point iteration. Computed in float64.
double logMe(const torch::Tensor& features, const torch::Tensor& labels);

// LEEP (Nguyen et al., ICML 2020): the mean log-likelihood of the labels under the "expected
// empirical predictor" built from the source model's class probabilities (N x Z, rows summing
// to 1) and the empirical joint distribution of source and target classes.
double leep(const torch::Tensor& sourceProbabilities, const torch::Tensor& labels);

} // namespace graft
