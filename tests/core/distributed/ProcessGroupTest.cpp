// ProcessGroup's ranks as threads of one process, on localhost.
#include "common/Error.h"
#include "distributed/ProcessGroup.h"

#include "RanksAsThreads.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <future>

namespace graft {
namespace {

using namespace std::chrono_literals;
using testing::freePort;
using testing::joinAll;
using testing::onEveryRank;
using testing::threadRank;

TEST(ProcessGroup, SumsEveryRanksTensorsOfMixedTypesAndShapes) {
    auto groups = joinAll(3);
    std::vector<std::vector<torch::Tensor>> tensors(3);
    onEveryRank(groups, [&](ProcessGroup& group) {
        const double rank = group.rank();
        auto& mine = tensors[std::size_t(group.rank())];
        mine = {torch::full({2, 3}, rank + 1), torch::full({5}, rank, torch::kFloat64), torch::full({4}, 2 * rank + 1)};
        group.sum(mine);
    });
    for (const auto& mine : tensors) {
        EXPECT_TRUE(mine[0].equal(torch::full({2, 3}, 6.0f)));
        EXPECT_TRUE(mine[1].equal(torch::full({5}, 3.0, torch::kFloat64)));
        EXPECT_TRUE(mine[2].equal(torch::full({4}, 9.0f)));
    }
}

TEST(ProcessGroup, BroadcastsRankZerosTensorsAndBytes) {
    auto groups = joinAll(2);
    std::vector<torch::Tensor> received(2);
    std::vector<std::vector<std::uint8_t>> bytes(2);
    onEveryRank(groups, [&](ProcessGroup& group) {
        std::vector<torch::Tensor> tensors{torch::full({3}, double(group.rank() + 7))};
        group.broadcast(tensors);
        received[std::size_t(group.rank())] = tensors.front();
        bytes[std::size_t(group.rank())] =
            group.broadcastBytes(group.leads() ? std::vector<std::uint8_t>{1, 2, 3, 250} : std::vector<std::uint8_t>{9});
    });
    EXPECT_TRUE(received[1].equal(torch::full({3}, 7.0f)));
    EXPECT_EQ(bytes[1], (std::vector<std::uint8_t>{1, 2, 3, 250}));
}

TEST(ProcessGroup, SendsMessagesInOrderAndCountsTheirBytes) {
    auto groups = joinAll(2);
    std::vector<std::vector<std::uint8_t>> got;
    onEveryRank(groups, [&](ProcessGroup& group) {
        if (group.leads()) {
            group.sendBytes(1, {10, 20}, 5);
            group.sendBytes(1, {}, 5);
            group.sendBytes(1, std::vector<std::uint8_t>(100000, 7), 5);
        } else {
            for (int message = 0; message < 3; ++message) got.push_back(group.receiveBytes(0, 5));
        }
    });
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0], (std::vector<std::uint8_t>{10, 20}));
    EXPECT_TRUE(got[1].empty());
    EXPECT_EQ(got[2].size(), 100000u);
    EXPECT_EQ(groups[0]->bytesSent(), 100002);
    EXPECT_EQ(groups[1]->bytesReceived(), 100002);
}

TEST(ProcessGroup, RefusesASecondProcessClaimingATakenRankAndTheJobGoesOn) {
    const int port = freePort();
    auto groups = joinAll(2, port);
    try {
        ProcessGroup::join(threadRank(port, 1, 2), "job", 5s);
        ADD_FAILURE() << "a second rank 1 joined";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("rank 1 of 2: another process has already joined rank 0 at 127.0.0.1:" +
                                                 std::to_string(port) + " as rank 1"),
                  std::string::npos)
            << error.what();
    }
    std::vector<torch::Tensor> sums(2);
    onEveryRank(groups, [&](ProcessGroup& group) {
        std::vector<torch::Tensor> mine{torch::ones({2})};
        group.sum(mine);
        sums[std::size_t(group.rank())] = mine.front();
    });
    EXPECT_TRUE(sums[1].equal(torch::full({2}, 2.0f)));
}

} // namespace
} // namespace graft
