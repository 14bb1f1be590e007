#pragma once

#include "data/AugmentedBatches.h"
#include "train/TrainConfig.h"

#include <torch/types.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <thread>

namespace graft {

// How training loops (the Trainer, self-supervised pretraining) feed an epoch to AugmentedBatches.

// Batches decoded ahead of the one being trained on: enough to hide a slow JPEG, few enough
// that an epoch's end does not waste work.
inline constexpr int kBatchesAhead = 4;

// Epoch e's augmentation draws. Cached view v holds epoch v + 1's, so training on K cached views
// is the same as the first K epochs of augmenting afresh.
inline std::uint64_t augmentationSeed(std::uint64_t seed, int epoch) { return seed * 1000003u + std::uint64_t(epoch); }

// The epoch's batches in `order`, from the batch holding `firstImage` on.
inline BatchPlan epochPlan(const torch::Tensor& order, std::int64_t firstImage, int batchSize, std::uint64_t seed) {
    BatchPlan plan;
    const auto* indices = order.data_ptr<std::int64_t>();
    plan.order.assign(indices, indices + order.size(0));
    plan.batchSize = batchSize;
    plan.firstBatch = firstImage / batchSize;
    plan.epochSeed = seed;
    return plan;
}

// Every image of a set once, in order, preprocessed exactly as in-memory tensors are
// (preprocessForEval): how evaluation and feature passes stream encoded images.
inline BatchPlan inOrderPlan(std::int64_t images, int batchSize, std::string imagesCalled = "image") {
    BatchPlan plan;
    plan.order.resize(std::size_t(images));
    std::iota(plan.order.begin(), plan.order.end(), std::int64_t(0));
    plan.batchSize = batchSize;
    plan.evalPreprocessing = true;
    plan.imagesCalled = std::move(imagesCalled);
    return plan;
}

// config.loaderThreads, or half the cores (1 to 8).
inline int loaderThreads(const TrainConfig& config) {
    if (config.loaderThreads > 0) return config.loaderThreads;
    return std::clamp(int(std::thread::hardware_concurrency()) / 2, 1, 8);
}

} // namespace graft
