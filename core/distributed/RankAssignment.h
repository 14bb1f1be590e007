#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace graft {

// Where this process stands in a distributed job, as its launcher said.
struct RankAssignment {
    std::string masterAddress;
    int masterPort = 0;
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;   // among the ranks on this node
    std::string source; // which launcher's variables said so: "torchrun" or "Slurm"
    std::string describeMaster() const { return masterAddress + ":" + std::to_string(masterPort); }
    // The device this rank trains on when `requested` ("auto", "cpu", "cuda", "cuda:N") leaves it
    // open and its node has `gpus` GPUs: "auto" and "cuda" take GPU LOCAL_RANK (modulo the GPUs),
    // so the ranks of one node spread over its GPUs; anything else stays as requested.
    std::string deviceFor(const std::string& requested, std::int64_t gpus) const;
};

using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;

// torchrun's variables (RANK, WORLD_SIZE, LOCAL_RANK) or, without them, Slurm's (SLURM_PROCID,
// SLURM_NTASKS, SLURM_LOCALID); either way MASTER_ADDR and MASTER_PORT name rank 0's host and
// the port its rendezvous listens on. Throws graft::Error naming the missing or malformed variable.
RankAssignment rankAssignmentFrom(const EnvironmentLookup& lookup);
// The same, from this process's environment.
RankAssignment rankAssignmentFromEnvironment();

} // namespace graft
