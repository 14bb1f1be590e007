#pragma once

#include "project/Database.h"

#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stop_token>
#include <string>

namespace graft {

// Frozen-prefix features too large for the memory budget, kept in the project file (one row per
// image) and read back a batch at a time. Sets are keyed like FeatureCache's entries, so later
// runs on the same frozen weights and images (other seeds, arms, processes, a resume) reuse
// them. Only the kKeptSets most recently used complete sets stay; the rest are deleted.
class ProjectFeatureStore {
public:
    static constexpr int kKeptSets = 4;

    // Its own connection, like RunRecorder's.
    explicit ProjectFeatureStore(const std::filesystem::path& project);

    // Whether the set is stored completely; marks it used.
    bool has(const std::string& key);
    // Stores `images` rows computed by `featuresOf(begin, end)`, one transaction per batch, so a
    // killed or stopped computation leaves an incomplete set that has() ignores and the next
    // write replaces. False when a stop request cut it short.
    bool write(const std::string& key, std::int64_t images, int batchSize,
               const std::function<torch::Tensor(std::int64_t, std::int64_t)>& featuresOf, std::stop_token stop);
    // The rows at `indices` (int64), stacked. Throws naming the project when the set is missing.
    torch::Tensor rows(const std::string& key, const torch::Tensor& indices);
    std::int64_t storedSets();

private:
    void evictOldSets();

    Database db_;
};

} // namespace graft
