#pragma once

#include "common/Progress.h"
#include "data/Preprocess.h"
#include "experiment/BackboneRank.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace graft {

// Pretrained weights to score: an architecture and a weights file with its classifier head, or an
// imported TorchScript feature extractor ("script:<name>", `weights` its file), which has no head.
struct RankCandidate {
    std::string name;
    std::string arch;
    std::filesystem::path weights;
    std::optional<PreprocessSpec> input; // the transform the weights expect; else the architecture's
};

// Every backbone in `cacheDir`: the zoo's weights downloaded or imported, and TorchScript imports.
std::vector<RankCandidate> cachedCandidates(const std::filesystem::path& cacheDir);

// Scores each candidate, before any training, on the project's labelled training images (LogME
// and LEEP on frozen features); best LogME first, candidates that failed last. A candidate that
// fails (a wrong file, say) is reported and the others still run. Throws when stopped.
std::vector<BackboneRank> rankBackbones(const std::filesystem::path& project, const std::vector<RankCandidate>& candidates,
                                        const ProgressCallback& progress, std::stop_token stop);

} // namespace graft
