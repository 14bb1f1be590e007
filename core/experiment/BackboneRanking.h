#pragma once

#include "common/Progress.h"
#include "experiment/BackboneRank.h"
#include "models/PretrainedBackbone.h"

#include <filesystem>
#include <stop_token>
#include <vector>

namespace graft {

// Scores each candidate, before any training, on the project's labelled training images (LogME
// and LEEP on frozen features); best LogME first, candidates that failed last. A candidate that
// fails (a wrong file, say) is reported and the others still run. Throws when stopped.
std::vector<BackboneRank> rankBackbones(const std::filesystem::path& project, const std::vector<PretrainedBackbone>& candidates,
                                        const ProgressCallback& progress, std::stop_token stop);

} // namespace graft
