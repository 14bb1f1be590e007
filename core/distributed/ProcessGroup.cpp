#include "distributed/ProcessGroup.h"

#include "common/Error.h"
#include "train/RemoteTraining.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/torch.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <set>
#include <thread>

namespace graft {

struct ProcessGroup::State {
    RankAssignment assignment;
    c10::intrusive_ptr<c10d::TCPStore> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
    bool failed = false;
    std::vector<std::string> hosts; // of every rank
    std::atomic<std::int64_t> sent{0}, received{0};
    int ranksOnThisHost = 1;
    std::jthread heartbeat; // last: stops before the store goes
};

namespace {

// Per allreduce: big enough to amortise Gloo's per-call latency, small enough that the host
// copies of a large model's gradients do not double its memory at once (PyTorch DDP uses 25 MB).
constexpr std::int64_t kBucketBytes = std::int64_t(32) << 20;
// Every rank beats this often; a rank whose beat has not moved for kSignOfLife has stopped answering.
constexpr auto kBeat = std::chrono::milliseconds(500);
constexpr auto kSignOfLife = std::chrono::seconds(3);
constexpr auto kPoll = std::chrono::milliseconds(50);

std::vector<std::uint8_t> bytesOf(const std::string& text) { return {text.begin(), text.end()}; }
std::string textOf(const std::vector<std::uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

// c10's messages carry a C++ backtrace after their first line.
std::string firstLine(const std::string& message) { return message.substr(0, message.find('\n')); }

std::string hostName() {
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0) return "?";
    return name;
}

bool isLoopback(const std::string& address) {
    return address == "localhost" || address.rfind("127.", 0) == 0 || address == "::1";
}

// The network device Gloo's pairs use: GLOO_SOCKET_IFNAME's interface where set (as in PyTorch),
// loopback for a job on one machine, else the address this host's name resolves to.
std::shared_ptr<gloo::transport::Device> glooDevice(const RankAssignment& assignment) {
    if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"))
        return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
    if (isLoopback(assignment.masterAddress)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
    return c10d::ProcessGroupGloo::createDefaultDevice();
}

std::string rankName(int rank, int worldSize) {
    return "rank " + std::to_string(rank) + " of " + std::to_string(worldSize);
}

// Rank 0's side of the rendezvous: waits until every other rank has joined. A process that came
// as one of them but was refused (other settings, say) leaves a note, which the message names
// should that rank never join.
void awaitEveryRank(c10d::TCPStore& store, const RankAssignment& assignment, std::chrono::seconds timeout) {
    const std::string me = rankName(0, assignment.worldSize);
    std::set<int> waiting;
    for (int rank = 1; rank < assignment.worldSize; ++rank) waiting.insert(rank);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!waiting.empty()) {
        for (auto rank = waiting.begin(); rank != waiting.end();)
            rank = store.check({"graft/joined/" + std::to_string(*rank)}) ? waiting.erase(rank) : std::next(rank);
        if (waiting.empty()) break;
        if (std::chrono::steady_clock::now() > deadline) {
            std::string missing, refused;
            for (const int rank : waiting) {
                missing += (missing.empty() ? "" : ", ") + std::to_string(rank);
                const std::string note = "graft/refused/" + std::to_string(rank);
                if (store.check({note})) refused += "; " + textOf(store.get(note));
            }
            const std::string reason = "rank(s) " + missing + " did not join at " + assignment.describeMaster() +
                                       " within " + std::to_string(timeout.count()) + " s" + refused;
            store.set("graft/go", bytesOf("refused: " + reason));
            throw Error(me + ": " + reason);
        }
        std::this_thread::sleep_for(kPoll);
    }
    store.set("graft/go", bytesOf("go"));
}

// Another rank's side: checks that it runs what rank 0 runs, claims its rank, and waits for the
// go. A process refused leaves the job alone, but for a note.
void joinRankZero(c10d::TCPStore& store, const RankAssignment& assignment, const std::string& identity) {
    const std::string me = rankName(assignment.rank, assignment.worldSize);
    const std::string suffix = std::to_string(assignment.rank);
    const std::string master = "rank 0 at " + assignment.describeMaster();
    const std::string theirWorld = textOf(store.get("graft/world_size")); // waits for rank 0
    const std::string theirIdentity = textOf(store.get("graft/identity"));
    std::string refusal;
    if (theirWorld != std::to_string(assignment.worldSize))
        refusal = me + ": WORLD_SIZE is " + std::to_string(assignment.worldSize) + " here but " + theirWorld + " at " + master;
    else if (theirIdentity != identity)
        refusal = me + " runs [" + identity + "] but " + master + " runs [" + theirIdentity + "]";
    if (!refusal.empty()) {
        store.set("graft/refused/" + suffix, bytesOf(refusal));
        throw Error(refusal + "; this process stays out of the job");
    }
    if (store.add("graft/claim/" + suffix, 1) > 1)
        throw Error(me + ": another process has already joined " + master + " as rank " + suffix +
                    "; check RANK (or SLURM_PROCID)");
    store.set("graft/host/" + suffix, bytesOf(hostName()));
    store.set("graft/joined/" + suffix, bytesOf("1"));
    const std::string go = textOf(store.get("graft/go"));
    if (go != "go") throw Error(me + ": " + master + " called the job off: " + go.substr(go.find(' ') + 1));
}

// Counts this rank's heartbeat up every kBeat through a store connection of its own, which
// collectives never block, until stopped or the store is gone.
std::jthread heartbeat(const RankAssignment& assignment, std::chrono::seconds timeout) {
    c10d::TCPStoreOptions options;
    options.port = std::uint16_t(assignment.masterPort);
    options.waitWorkers = false;
    options.timeout = timeout;
    auto store = c10::make_intrusive<c10d::TCPStore>(assignment.masterAddress, options);
    return std::jthread([store, key = "graft/heartbeat/" + std::to_string(assignment.rank)](std::stop_token stop) {
        try {
            while (!stop.stop_requested()) {
                store->add(key, 1);
                for (auto slept = std::chrono::milliseconds(0); slept < kBeat && !stop.stop_requested(); slept += kPoll)
                    std::this_thread::sleep_for(kPoll);
            }
        } catch (const std::exception&) {
            // The store (rank 0) has gone; a failing collective says so.
        }
    });
}

} // namespace

ProcessGroup::ProcessGroup(std::unique_ptr<State> state) : state_(std::move(state)) {}
ProcessGroup::~ProcessGroup() = default;

std::unique_ptr<ProcessGroup> ProcessGroup::join(const RankAssignment& assignment, const std::string& identity,
                                                 std::chrono::seconds timeout) {
    const std::string me = rankName(assignment.rank, assignment.worldSize);
    const std::string master = assignment.describeMaster();
    auto state = std::make_unique<State>();
    state->assignment = assignment;
    c10d::TCPStoreOptions options;
    options.port = std::uint16_t(assignment.masterPort);
    options.isServer = assignment.rank == 0;
    options.numWorkers = std::size_t(assignment.worldSize);
    options.waitWorkers = false; // the handshake below waits, and says who is missing
    options.timeout = timeout;
    try {
        state->store = c10::make_intrusive<c10d::TCPStore>(assignment.masterAddress, options);
    } catch (const std::exception& error) {
        if (assignment.rank == 0)
            throw Error(me + ": cannot listen for the other ranks at " + master + ": " + firstLine(error.what()));
        throw Error(me + ": cannot reach the master (rank 0) at " + master + " within " + std::to_string(timeout.count()) +
                    " s; is rank 0 running, and are MASTER_ADDR and MASTER_PORT right? (" + firstLine(error.what()) + ")");
    }
    try {
        auto& store = *state->store;
        if (assignment.rank == 0) {
            store.set("graft/host/0", bytesOf(hostName()));
            store.set("graft/world_size", bytesOf(std::to_string(assignment.worldSize)));
            store.set("graft/identity", bytesOf(identity));
            awaitEveryRank(store, assignment, timeout);
        } else {
            joinRankZero(store, assignment, identity);
        }
        for (int rank = 0; rank < assignment.worldSize; ++rank)
            state->hosts.push_back(textOf(store.get("graft/host/" + std::to_string(rank))));
        state->ranksOnThisHost = int(std::count(state->hosts.begin(), state->hosts.end(), hostName()));
        auto glooOptions = c10d::ProcessGroupGloo::Options::create(timeout);
        glooOptions->devices.push_back(glooDevice(assignment));
        state->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(c10::make_intrusive<c10d::PrefixStore>("gloo", state->store),
                                                                  assignment.rank, assignment.worldSize, glooOptions);
        state->heartbeat = heartbeat(assignment, timeout);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& error) {
        throw Error(me + ": the rendezvous at " + master + " failed: " + firstLine(error.what()));
    }
    return std::unique_ptr<ProcessGroup>(new ProcessGroup(std::move(state)));
}

int ProcessGroup::rank() const { return state_->assignment.rank; }
int ProcessGroup::worldSize() const { return state_->assignment.worldSize; }
int ProcessGroup::ranksOnThisHost() const { return state_->ranksOnThisHost; }

std::string ProcessGroup::deviceFor(const std::string& requested) const {
    return state_->assignment.deviceFor(requested, std::int64_t(torch::cuda::device_count()));
}

std::string ProcessGroup::describePeer(int rank) const {
    return "rank " + std::to_string(rank) + " on " + state_->hosts.at(std::size_t(rank));
}

template <typename Exchange>
void ProcessGroup::withPeer(int peer, Exchange exchange) {
    if (state_->failed) throw Error(describeRank() + ": the process group has already failed");
    try {
        exchange(*state_->gloo);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& error) {
        throw LostRemoteError(describeRank() + ": " + describePeer(peer) + " stopped answering (" + firstLine(error.what()) + ")");
    }
}

void ProcessGroup::sendBytes(int to, const std::vector<std::uint8_t>& bytes, int tag) {
    const auto count = std::int64_t(bytes.size());
    std::vector<torch::Tensor> size{torch::tensor({count}, torch::kInt64)};
    std::vector<torch::Tensor> payload{torch::from_blob(const_cast<std::uint8_t*>(bytes.data()), {count}, torch::kUInt8)};
    withPeer(to, [&](c10d::ProcessGroupGloo& gloo) {
        gloo.send(size, to, tag)->wait();
        if (count > 0) gloo.send(payload, to, tag)->wait();
    });
    state_->sent += count;
}

std::vector<std::uint8_t> ProcessGroup::receiveBytes(int from, int tag) {
    std::vector<std::uint8_t> bytes;
    withPeer(from, [&](c10d::ProcessGroupGloo& gloo) {
        std::vector<torch::Tensor> size{torch::zeros({1}, torch::kInt64)};
        gloo.recv(size, from, tag)->wait();
        const auto count = size.front().item<std::int64_t>();
        if (count < 0) throw Error(describeRank() + ": " + describePeer(from) + " sent a message of " + std::to_string(count) + " bytes");
        bytes.resize(std::size_t(count));
        std::vector<torch::Tensor> payload{torch::from_blob(bytes.data(), {std::int64_t(bytes.size())}, torch::kUInt8)};
        if (!bytes.empty()) gloo.recv(payload, from, tag)->wait();
    });
    state_->received += std::int64_t(bytes.size());
    return bytes;
}

void ProcessGroup::raiseFlag(const std::string& name) { state_->store->set("graft/flag/" + name, bytesOf("1")); }

bool ProcessGroup::flagRaised(const std::string& name) { return state_->store->check({"graft/flag/" + name}); }

std::string ProcessGroup::describeRank() const { return rankName(rank(), worldSize()); }

void ProcessGroup::failed(const char* what, const std::string& reason) {
    state_->failed = true;
    auto& store = *state_->store;
    const std::string master = state_->assignment.describeMaster();
    constexpr const char* kVerdict = "graft/failure";
    std::string silent;         // the ranks that stopped answering, as the first rank to judge found
    std::set<int> answering;    // by this rank's own count
    try {
        if (store.check({kVerdict})) {
            silent = textOf(store.get(kVerdict));
        } else {
            const auto beats = [&] {
                std::map<int, std::int64_t> counts;
                for (int rank = 0; rank < worldSize(); ++rank)
                    if (rank != this->rank()) counts[rank] = store.add("graft/heartbeat/" + std::to_string(rank), 0);
                return counts;
            };
            const auto before = beats();
            std::this_thread::sleep_for(kSignOfLife);
            const auto after = beats();
            for (const auto& [rank, count] : before) {
                if (after.at(rank) != count) {
                    answering.insert(rank);
                    continue;
                }
                silent += std::string(silent.empty() ? "" : ", ") + describePeer(rank);
            }
            if (!store.check({kVerdict})) store.set(kVerdict, bytesOf(silent));
        }
    } catch (const std::exception&) {
        silent = "rank 0 (the master at " + master + ")"; // the store lives in rank 0
    }
    // Letting go of this rank's connections wakes the ranks that wait on it, and they read the verdict.
    state_->gloo.reset();
    if (rank() == 0) { // the store must outlive their reading it
        const auto deadline = std::chrono::steady_clock::now() + kSignOfLife;
        const auto everyoneRead = [&] {
            for (const int rank : answering)
                if (!store.check({"graft/read/" + std::to_string(rank)})) return false;
            return true;
        };
        while (!everyoneRead() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(kPoll);
    } else {
        try {
            store.set("graft/read/" + std::to_string(rank()), bytesOf("1"));
        } catch (const std::exception&) {
        }
    }
    const std::string who = silent.empty() ? "" : silent + " stopped answering; ";
    throw Error(describeRank() + ": " + what + " failed: " + who + "the run stops (" + firstLine(reason) + ")");
}

template <typename Collective>
void ProcessGroup::collectively(const char* what, Collective collective) {
    if (state_->failed) throw Error(describeRank() + ": the process group has already failed");
    try {
        collective(*state_->gloo)->wait();
    } catch (const Error&) {
        throw;
    } catch (const std::exception& error) {
        failed(what, error.what());
    }
}

namespace {

// Consecutive tensors of one type, flattened into host buckets of at most kBucketBytes (a larger
// tensor alone), each a range [first, last) of `tensors`.
template <typename PerBucket>
void inBuckets(std::vector<torch::Tensor>& tensors, PerBucket perBucket) {
    std::size_t first = 0;
    while (first < tensors.size()) {
        const auto type = tensors[first].scalar_type();
        std::size_t last = first;
        std::int64_t bytes = 0;
        while (last < tensors.size() && tensors[last].scalar_type() == type &&
               (last == first || bytes + std::int64_t(tensors[last].nbytes()) <= kBucketBytes))
            bytes += std::int64_t(tensors[last++].nbytes());
        std::vector<torch::Tensor> flat;
        for (std::size_t i = first; i < last; ++i) flat.push_back(tensors[i].detach().reshape(-1).to(torch::kCPU));
        auto bucket = torch::cat(flat);
        perBucket(bucket);
        std::int64_t offset = 0;
        torch::NoGradGuard noGrad;
        for (std::size_t i = first; i < last; ++i) {
            const auto elements = tensors[i].numel();
            tensors[i].copy_(bucket.slice(0, offset, offset + elements).view(tensors[i].sizes()));
            offset += elements;
        }
        first = last;
    }
}

} // namespace

std::int64_t ProcessGroup::bytesSent() const { return state_->sent; }
std::int64_t ProcessGroup::bytesReceived() const { return state_->received; }

void ProcessGroup::sum(std::vector<torch::Tensor>& tensors) {
    inBuckets(tensors, [&](torch::Tensor& bucket) {
        // A ring allreduce sends and receives about twice the bucket.
        state_->sent += 2 * std::int64_t(bucket.nbytes());
        state_->received += 2 * std::int64_t(bucket.nbytes());
        std::vector<torch::Tensor> buffers{bucket};
        collectively("summing gradients", [&](c10d::ProcessGroupGloo& gloo) { return gloo.allreduce(buffers); });
    });
}

void ProcessGroup::broadcast(std::vector<torch::Tensor>& tensors) {
    inBuckets(tensors, [&](torch::Tensor& bucket) {
        (rank() == 0 ? state_->sent : state_->received) += std::int64_t(bucket.nbytes());
        std::vector<torch::Tensor> buffers{bucket};
        collectively("sharing rank 0's tensors", [&](c10d::ProcessGroupGloo& gloo) { return gloo.broadcast(buffers); });
    });
}

std::vector<std::uint8_t> ProcessGroup::broadcastBytes(std::vector<std::uint8_t> bytes) {
    std::vector<torch::Tensor> size{torch::tensor({std::int64_t(bytes.size())}, torch::kInt64)};
    collectively("sharing rank 0's data", [&](c10d::ProcessGroupGloo& gloo) { return gloo.broadcast(size); });
    const auto count = size.front().item<std::int64_t>();
    if (rank() != 0) bytes.assign(std::size_t(count), 0);
    std::vector<torch::Tensor> payload{torch::from_blob(bytes.data(), {count}, torch::kUInt8)};
    if (count > 0)
        collectively("sharing rank 0's data", [&](c10d::ProcessGroupGloo& gloo) { return gloo.broadcast(payload); });
    (rank() == 0 ? state_->sent : state_->received) += count;
    return bytes;
}

} // namespace graft
