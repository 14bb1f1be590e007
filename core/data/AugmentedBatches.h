#pragma once

#include "data/Augmentation.h"
#include "data/ImageBytesSource.h"

#include <torch/types.h>

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace graft {

struct BatchPlan {
    std::vector<std::int64_t> order; // the epoch's image indices, batch b being [b * batchSize, ...)
    int batchSize = 64;
    std::int64_t firstBatch = 0;     // where a resumed epoch starts
    std::uint64_t epochSeed = 0;     // image i is augmented with a seed mixed from this and i
    // FixMatch's unlabelled stream: a batch of N images holds 2N, each image's weak view (the
    // augmentation) in the first half and its strong view (StrongAugmentation, then the
    // augmentation) at the same row of the second. An image may come twice in one plan, so its
    // draws are seeded by its place in `order` instead of its index.
    bool strongViews = false;
    // Images over the memory budget, streamed without augmentation: preprocessForEval, the exact
    // transform of in-memory tensors, so a streamed run trains on the same numbers.
    bool evalPreprocessing = false;
    // What a decode error calls the images ("validation image 7: ...").
    std::string imagesCalled = "training image";
};

// One epoch of augmented batches, decoded and augmented by worker threads up to `ahead` batches
// before the trainer asks, so the model does not wait on JPEG decoding in steady state. Batches
// come out in order and are identical whatever the number of workers.
class AugmentedBatches {
public:
    // `encoded` is read by the workers (each image's bytes as they decode it) and must outlive this.
    AugmentedBatches(const ImageBytesSource& encoded, const PreprocessSpec& preprocess, const AugmentSpec& augment,
                     BatchPlan plan, int workers, int ahead, bool pinMemory = false);
    // Stops the workers (at the image they are on) and waits for them.
    ~AugmentedBatches();
    AugmentedBatches(const AugmentedBatches&) = delete;
    AugmentedBatches& operator=(const AugmentedBatches&) = delete;

    // The next batch, N x C x crop x crop (2N with plan.strongViews); rethrows a worker's error, which names the image.
    torch::Tensor next();
    bool done() const { return taken_ >= batches_; }
    // Time next() spent waiting for a batch that was not ready.
    double waitedSeconds() const { return waitedSeconds_; }

    // The seed that augments image `index` in an epoch seeded `epochSeed`.
    static std::uint64_t imageSeed(std::uint64_t epochSeed, std::int64_t index);

private:
    void work();
    torch::Tensor makeBatch(std::int64_t batch) const;

    const ImageBytesSource& encoded_;
    PreprocessSpec preprocess_;
    AugmentSpec augment_;
    BatchPlan plan_;
    std::int64_t batches_;
    int ahead_;
    bool pinMemory_;

    std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::int64_t, torch::Tensor> ready_;
    std::int64_t nextToMake_;
    std::int64_t taken_;
    bool stopping_ = false;
    std::exception_ptr error_;
    double waitedSeconds_ = 0;
    std::vector<std::jthread> workers_; // last: joined first, before the state they use goes
};

} // namespace graft
