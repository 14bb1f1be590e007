#pragma once

#include "models/PretrainedBackbone.h"

#include <optional>
#include <string>

namespace graft::cli {

// --backbone NAME [--weights FILE]: a cached backbone (zoo list) or built-in weights
// (builtin:NAME); with --weights FILE (a file or builtin:NAME), NAME is the architecture.
// Throws UsageError listing what is cached when NAME is none of these.
PretrainedBackbone backboneOption(const std::string& name, const std::optional<std::string>& weights);

} // namespace graft::cli
