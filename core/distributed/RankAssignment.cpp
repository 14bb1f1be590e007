#include "distributed/RankAssignment.h"

#include "common/Error.h"

#include <cstdlib>

namespace graft {
namespace {

int integerVariable(const EnvironmentLookup& lookup, const std::string& name, int minimum, int maximum) {
    const auto text = lookup(name);
    if (!text) throw Error("the environment variable " + name + " is not set (needed with --distributed)");
    try {
        std::size_t end = 0;
        const long value = std::stol(*text, &end);
        if (end == text->size() && value >= minimum && value <= maximum) return int(value);
    } catch (const std::exception&) {
    }
    throw Error("the environment variable " + name + " is '" + *text + "', not a whole number from " +
                std::to_string(minimum) + " to " + std::to_string(maximum));
}

} // namespace

RankAssignment rankAssignmentFrom(const EnvironmentLookup& lookup) {
    RankAssignment assignment;
    constexpr int kMostRanks = 65536;
    if (lookup("RANK") || lookup("WORLD_SIZE")) {
        assignment.source = "torchrun";
        assignment.worldSize = integerVariable(lookup, "WORLD_SIZE", 1, kMostRanks);
        assignment.rank = integerVariable(lookup, "RANK", 0, assignment.worldSize - 1);
        assignment.localRank = lookup("LOCAL_RANK") ? integerVariable(lookup, "LOCAL_RANK", 0, kMostRanks) : 0;
    } else if (lookup("SLURM_PROCID")) {
        assignment.source = "Slurm";
        assignment.worldSize = integerVariable(lookup, "SLURM_NTASKS", 1, kMostRanks);
        assignment.rank = integerVariable(lookup, "SLURM_PROCID", 0, assignment.worldSize - 1);
        assignment.localRank = lookup("SLURM_LOCALID") ? integerVariable(lookup, "SLURM_LOCALID", 0, kMostRanks) : 0;
    } else {
        throw Error("--distributed needs RANK and WORLD_SIZE (as torchrun sets them) or SLURM_PROCID and SLURM_NTASKS "
                    "(as srun sets them) in the environment");
    }
    const auto address = lookup("MASTER_ADDR");
    if (!address || address->empty())
        throw Error("the environment variable MASTER_ADDR is not set: name rank 0's host (needed with --distributed)");
    assignment.masterAddress = *address;
    assignment.masterPort = integerVariable(lookup, "MASTER_PORT", 1, 65535);
    return assignment;
}

std::string RankAssignment::deviceFor(const std::string& requested, std::int64_t gpus) const {
    if (gpus <= 0 || (requested != "auto" && requested != "cuda")) return requested;
    return "cuda:" + std::to_string(localRank % gpus);
}

RankAssignment rankAssignmentFromEnvironment() {
    return rankAssignmentFrom([](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (!value) return std::nullopt;
        return std::string(value);
    });
}

} // namespace graft
