#pragma once

#include "common/Progress.h"
#include "models/PretrainedBackbone.h"
#include "selection/Selection.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace graft {

// Whose features the strategy works on (a finished run's, which also gives predictions, or a
// pretrained backbone's), which strategy, how many images, and the seed.
struct SuggestionRequest {
    std::optional<std::int64_t> runId;
    std::optional<PretrainedBackbone> backbone;
    SelectionStrategy strategy = SelectionStrategy::Typical;
    std::size_t count = 10;
    std::uint64_t seed = 0;
};

// An unlabelled image to label next; with a run, what it predicts for it.
struct Suggestion {
    std::string sha256;
    std::string source; // the name it was imported from
    double score = 0;   // what the strategy picked it by (Pick::score)
    std::optional<std::string> predicted;
    std::optional<double> confidence;
};

// The project's unlabelled images in the order the strategy picks them. Reads only; throws when
// stopped, and names the project (and run) when there is nothing to pick from.
std::vector<Suggestion> suggestImages(const std::filesystem::path& project, const SuggestionRequest& request,
                                      const ProgressCallback& progress, std::stop_token stop);

} // namespace graft
