#pragma once

#include "common/Progress.h"
#include "domain/DomainGapReport.h"
#include "models/PretrainedBackbone.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace graft {

// What to measure: a model (a run's or pretrained weights) and up to two sets of project images,
// each written DOMAIN, DOMAIN:PART or *:PART, where PART is train, val or test (labelled images
// of that split) or unlabelled, and * any domain. No set: every image of the project.
struct DomainGapRequest {
    std::optional<std::int64_t> runId;
    std::optional<PretrainedBackbone> backbone;
    std::vector<std::string> sets;
    std::size_t maxImagesPerSet = 1000; // a seeded sample of larger sets
    std::uint64_t seed = 0;
};

// Throws graft::Error naming the project and the problem: an unknown domain or part, an empty
// set, more than two sets, a run without weights; and when stopped.
DomainGapReport measureDomainGap(const std::filesystem::path& project, const DomainGapRequest& request,
                                 const ProgressCallback& progress, std::stop_token stop);

} // namespace graft
