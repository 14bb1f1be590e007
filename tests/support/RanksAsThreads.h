#pragma once

#include "distributed/ProcessGroup.h"

#include "FreePort.h"

#include <chrono>
#include <future>
#include <memory>
#include <vector>

namespace graft::testing {

// A distributed job's ranks as threads of one process, on localhost.

inline RankAssignment threadRank(int port, int rank, int worldSize) { return {"127.0.0.1", port, rank, worldSize, rank, "test"}; }

// Every rank of a job, joined from threads.
inline std::vector<std::unique_ptr<ProcessGroup>> joinAll(int worldSize, int port = freePort()) {
    std::vector<std::future<std::unique_ptr<ProcessGroup>>> joining;
    for (int rank = 0; rank < worldSize; ++rank)
        joining.push_back(std::async(std::launch::async, [=] {
            return ProcessGroup::join(threadRank(port, rank, worldSize), "job", std::chrono::seconds(30));
        }));
    std::vector<std::unique_ptr<ProcessGroup>> groups;
    for (auto& group : joining) groups.push_back(group.get());
    return groups;
}

// Runs `work` on every rank at once.
template <typename Work>
void onEveryRank(std::vector<std::unique_ptr<ProcessGroup>>& groups, Work work) {
    std::vector<std::future<void>> running;
    for (auto& group : groups) running.push_back(std::async(std::launch::async, [&] { work(*group); }));
    for (auto& done : running) done.get();
}

} // namespace graft::testing
