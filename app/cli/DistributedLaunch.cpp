#include "DistributedLaunch.h"

#include "train/CpuThreadLimit.h"

#include <algorithm>
#include <thread>

namespace graft::cli {

DistributedOptions distributedOptions(Arguments& args) {
    DistributedOptions options;
    options.enabled = args.flag("--distributed");
    const int timeout = args.integer("--distributed-timeout", int(options.timeout.count()));
    if (timeout < 1) throw UsageError("--distributed-timeout expects seconds, at least 1");
    options.timeout = std::chrono::seconds(timeout);
    return options;
}

std::unique_ptr<ProcessGroup> joinJob(const std::string& identity, const DistributedOptions& options) {
    auto group = ProcessGroup::join(rankAssignmentFromEnvironment(), identity, options.timeout);
    setCpuThreadLimit(std::max(1, int(std::thread::hardware_concurrency()) / group->ranksOnThisHost()));
    return group;
}

} // namespace graft::cli
