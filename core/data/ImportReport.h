#pragma once

#include "common/Progress.h"

#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace graft {

struct SkippedFile {
    std::string path;
    std::string reason;
};

struct ImportReport {
    std::int64_t added = 0;
    std::int64_t labeled = 0;                   // of the added images
    std::vector<SkippedFile> duplicates;        // reason names the earlier copy
    std::vector<SkippedFile> skipped;           // unreadable, corrupt or not images
    bool cancelled = false;
};

struct ImportOptions {
    ProgressCallback progress;
    std::stop_token stop;
    // Given: the domain of every imported image, and of duplicates that had none.
    std::optional<std::string> domain;
    // The task that folder names, IDX labels and a CSV's one label column label (made when new);
    // none: the first task.
    std::optional<std::string> task;
};

} // namespace graft
