#pragma once

#include "Arguments.h"

#include "models/PretrainedBackbone.h"

#include <cstdint>
#include <optional>
#include <string>

namespace graft::cli {

// --backbone NAME [--weights FILE]: a cached backbone (zoo list) or built-in weights
// (builtin:NAME); with --weights FILE (a file or builtin:NAME), NAME is the architecture.
// Throws UsageError listing what is cached when NAME is none of these.
PretrainedBackbone backboneOption(const std::string& name, const std::optional<std::string>& weights);

// The model a command reads features from: --run ID, or --backbone NAME [--weights FILE], one of
// the two. `runUse` says what a run gives the command, for the error that names both.
struct RunOrBackbone {
    std::optional<std::int64_t> runId;
    std::optional<PretrainedBackbone> backbone;
};
RunOrBackbone runOrBackboneOption(Arguments& args, const std::string& runUse);

} // namespace graft::cli
