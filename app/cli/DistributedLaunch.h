#pragma once

#include "Arguments.h"

#include "distributed/ProcessGroup.h"

#include <chrono>
#include <memory>
#include <string>

namespace graft::cli {

// --distributed and --distributed-timeout.
struct DistributedOptions {
    bool enabled = false;
    std::chrono::seconds timeout{300};
};
DistributedOptions distributedOptions(Arguments& args);

// Joins the job this process was launched into (torchrun's or Slurm's variables), and gives it
// its share of the host's cores: more threads than cores would make every rank wait on the slowest.
std::unique_ptr<ProcessGroup> joinJob(const std::string& identity, const DistributedOptions& options);

} // namespace graft::cli
