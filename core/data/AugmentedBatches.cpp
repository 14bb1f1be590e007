#include "data/AugmentedBatches.h"

#include "common/Error.h"
#include "data/StrongAugmentation.h"

#include <chrono>
#include <cstring>

namespace graft {

AugmentedBatches::AugmentedBatches(const ImageBytesSource& encoded, const PreprocessSpec& preprocess,
                                   const AugmentSpec& augment, BatchPlan plan, int workers, int ahead, bool pinMemory)
    : encoded_(encoded), preprocess_(preprocess), augment_(augment), plan_(std::move(plan)),
      batches_((std::int64_t(plan_.order.size()) + plan_.batchSize - 1) / plan_.batchSize), ahead_(std::max(1, ahead)),
      pinMemory_(pinMemory), nextToMake_(plan_.firstBatch), taken_(plan_.firstBatch) {
    for (int i = 0; i < std::max(1, workers); ++i) workers_.emplace_back([this] { work(); });
}

AugmentedBatches::~AugmentedBatches() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    workers_.clear();
}

std::uint64_t AugmentedBatches::imageSeed(std::uint64_t epochSeed, std::int64_t index) {
    return epochSeed * 0x9E3779B97F4A7C15ull ^ (std::uint64_t(index) + 0x632BE59BD9B4E019ull);
}

torch::Tensor AugmentedBatches::makeBatch(std::int64_t batch) const {
    const auto begin = std::size_t(batch * plan_.batchSize);
    const auto end = std::min(plan_.order.size(), begin + std::size_t(plan_.batchSize));
    const int channels = preprocess_.channels(), crop = preprocess_.crop;
    const auto count = std::int64_t(end - begin);
    auto images = torch::empty({plan_.strongViews ? 2 * count : count, channels, crop, crop},
                               torch::TensorOptions(torch::kFloat32).pinned_memory(pinMemory_));
    const std::size_t imageFloats = std::size_t(channels) * std::size_t(crop) * std::size_t(crop);
    float* destination = images.data_ptr<float>();
    for (auto position = begin; position < end; ++position) {
        const auto index = plan_.order[position];
        try {
            const auto decoded = decodeImage(encoded_.bytes(index), preprocess_.color);
            if (plan_.evalPreprocessing) {
                const auto pixels = preprocessForEval(decoded, preprocess_).contiguous();
                std::memcpy(destination, pixels.data_ptr<float>(), imageFloats * sizeof(float));
            } else if (!plan_.strongViews) {
                augmentInto(decoded, preprocess_, augment_, imageSeed(plan_.epochSeed, index), destination);
            } else {
                const auto seed = imageSeed(plan_.epochSeed, std::int64_t(position));
                augmentInto(decoded, preprocess_, augment_, seed, destination);
                augmentInto(strongAugment(decoded, seed ^ 0x5DEECE66Dull), preprocess_, augment_, seed + 1,
                            destination + std::size_t(count) * imageFloats);
            }
        } catch (const std::exception& error) {
            throw Error((plan_.strongViews ? std::string("unlabelled image") : plan_.imagesCalled) + " " + encoded_.nameOf(index) +
                        ": " + error.what());
        }
        destination += imageFloats;
    }
    return images;
}

void AugmentedBatches::work() {
    for (;;) {
        std::int64_t batch = 0;
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [&] {
                return stopping_ || error_ || nextToMake_ >= batches_ || nextToMake_ < taken_ + ahead_;
            });
            if (stopping_ || error_ || nextToMake_ >= batches_) return;
            batch = nextToMake_++;
        }
        try {
            auto images = makeBatch(batch);
            std::lock_guard lock(mutex_);
            ready_.emplace(batch, std::move(images));
        } catch (...) {
            std::lock_guard lock(mutex_);
            error_ = std::current_exception();
        }
        changed_.notify_all();
    }
}

torch::Tensor AugmentedBatches::next() {
    const auto started = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    if (taken_ >= batches_) throw Error("internal: asked for a batch past the end of the epoch");
    changed_.wait(lock, [&] { return error_ || ready_.contains(taken_); });
    if (error_) std::rethrow_exception(error_);
    auto node = ready_.extract(taken_++);
    lock.unlock();
    changed_.notify_all();
    waitedSeconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return std::move(node.mapped());
}

} // namespace graft
