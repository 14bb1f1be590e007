#pragma once

#include "distributed/RankAssignment.h"
#include "train/DataParallelGroup.h"

#include <chrono>
#include <memory>
#include <string>

namespace graft {

// This process's membership of a distributed job, over LibTorch's c10d: a TCPStore rendezvous
// that rank 0 hosts at the master address, then a Gloo process group (CPU tensors; tensors on
// a GPU travel through host memory). The only code that includes c10d's headers.
//
// Every error is a graft::Error that starts with this rank ("rank 1 of 3") and names the
// master's address. When a collective fails, the message names the ranks that stopped answering
// (the ones that gave no sign of life within a few seconds), or rank 0 when the master is gone.
class ProcessGroup final : public DataParallelGroup {
public:
    // Joins the job. Every rank must bring the same `identity` (Graft's version, the project's
    // name, the command and its options) and world size; a rank that disagrees, or claims a rank
    // already taken, is refused with both sides named. A master that cannot be reached, ranks
    // that do not all arrive, and collectives that wait longer than `timeout` fail.
    static std::unique_ptr<ProcessGroup> join(const RankAssignment& assignment, const std::string& identity,
                                              std::chrono::seconds timeout);
    ~ProcessGroup() override;

    int rank() const override;
    int worldSize() const override;
    void sum(std::vector<torch::Tensor>& tensors) override;
    void broadcast(std::vector<torch::Tensor>& tensors) override;
    std::vector<std::uint8_t> broadcastBytes(std::vector<std::uint8_t> bytes) override;
    // Ranks whose host has this one's name (this one too): they share its cores.
    int ranksOnThisHost() const;

    // Point to point, for experiments spread over ranks: `bytes` to rank `to`, received there in
    // order by receiveBytes(this rank, tag). Unlike collectives, a failure leaves the group to the
    // others: it throws LostRemoteError naming the peer.
    void sendBytes(int to, const std::vector<std::uint8_t>& bytes, int tag);
    std::vector<std::uint8_t> receiveBytes(int from, int tag);
    // A flag every rank sees, through the store: set once, never cleared.
    void raiseFlag(const std::string& name);
    bool flagRaised(const std::string& name);
    // "rank R on HOST".
    std::string describePeer(int rank) const;
    // RankAssignment::deviceFor with this node's GPUs.
    std::string deviceFor(const std::string& requested) const;
    // Bytes this rank has sent and received through the group so far (tensors and messages).
    std::int64_t bytesSent() const;
    std::int64_t bytesReceived() const;
    // "rank R of W", how messages start.
    std::string describeRank() const;

private:
    struct State;
    explicit ProcessGroup(std::unique_ptr<State> state);
    // Runs a collective, turning its failure into a graft::Error that names the ranks gone.
    template <typename Collective>
    void collectively(const char* what, Collective collective);
    template <typename Exchange>
    void withPeer(int peer, Exchange exchange);
    [[noreturn]] void failed(const char* what, const std::string& reason);

    std::unique_ptr<State> state_;
};

} // namespace graft
