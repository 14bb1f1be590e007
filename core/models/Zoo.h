#pragma once

#include "common/Progress.h"
#include "data/Preprocess.h"

#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

namespace graft {

// A set of pretrained weights Graft knows how to fetch: resources/zoo.json.
struct ZooEntry {
    std::string name;
    std::string arch;
    std::string weights;  // torchvision's weights name, e.g. IMAGENET1K_V1
    std::string url;
    std::string fileName;
    std::string sha256;   // full digest, or its leading hex digits as published in the file name
    double imagenetTop1 = 0;
    std::int64_t parameters = 0;
    PreprocessSpec input; // the evaluation transform the weights were measured with
};

std::vector<ZooEntry> zooEntries();
// Throws, listing the known names, for an unknown entry.
ZooEntry zooEntry(const std::string& name);

// $GRAFT_CACHE_DIR, else $XDG_CACHE_HOME/graft/weights, else ~/.cache/graft/weights.
std::filesystem::path weightsCacheDir();
std::filesystem::path cachedWeightsPath(const ZooEntry& entry, const std::filesystem::path& cacheDir);

// Checks the file's SHA-256 against the entry and that it loads into the entry's architecture
// with every tensor matched, then copies it into the cache. Errors name the file and the problem.
std::filesystem::path importZooWeights(const ZooEntry& entry, const std::filesystem::path& file,
                                       const std::filesystem::path& cacheDir);

// Downloads the entry into the cache (resuming, hash-checked), then checks that it loads.
std::filesystem::path downloadZooWeights(const ZooEntry& entry, const std::filesystem::path& cacheDir,
                                         ProgressCallback progress = {}, std::stop_token stop = {});

} // namespace graft
