#pragma once

#include "project/Database.h"

#include <cstdint>
#include <vector>

namespace graft {

// A project at a glance, for a list of projects or a step bar: a few counts and its first image,
// in cheap queries (a 70,000-image project is not read through).
struct ProjectOverview {
    std::int64_t images = 0;
    std::int64_t unlabelled = 0;
    std::int64_t classes = 0;         // of the first task, with at least one label
    std::int64_t trainingClasses = 0; // with at least one labelled training image: training needs two
    std::int64_t finishedRuns = 0;
    std::int64_t newestFinishedRun = 0; // 0: none
    std::vector<std::uint8_t> firstImage; // the first imported image's bytes; empty without images
};

ProjectOverview overviewOf(Database& db);

} // namespace graft
