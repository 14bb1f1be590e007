#include "train/CpuBlockCache.h"

#include "models/Architectures.h"
#include "models/Classifier.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <thread>
#include <vector>

namespace graft {
namespace {

constexpr std::int64_t kLargeFloats = std::int64_t(2) << 20 >> 2; // 2 MiB of floats

TEST(CpuBlockCache, HandsAFreedLargeBlockToTheNextTensorOfItsSize) {
    const CpuBlockCacheScope scope;
    auto first = torch::empty({kLargeFloats});
    const void* block = first.data_ptr();
    first.reset();
    const auto before = cpuBlockCacheCounts();
    const auto second = torch::empty({kLargeFloats});
    EXPECT_EQ(second.data_ptr(), block);
    EXPECT_EQ(cpuBlockCacheCounts().reused, before.reused + 1);
    EXPECT_EQ(cpuBlockCacheCounts().fresh, before.fresh);
}

TEST(CpuBlockCache, GivesWaitingBlocksBackWhenTheLastScopeEnds) {
    {
        const CpuBlockCacheScope outer;
        {
            const CpuBlockCacheScope inner;
            torch::empty({kLargeFloats});
        }
        EXPECT_GE(cpuBlockCacheCounts().waitingBytes, kLargeFloats * 4) << "another scope still lives";
    }
    EXPECT_EQ(cpuBlockCacheCounts().waitingBytes, 0);
}

TEST(CpuBlockCache, KeepsNothingOutsideAScope) {
    { const CpuBlockCacheScope installs; }
    torch::empty({kLargeFloats});
    EXPECT_EQ(cpuBlockCacheCounts().waitingBytes, 0);
    const auto before = cpuBlockCacheCounts();
    torch::empty({kLargeFloats});
    EXPECT_EQ(cpuBlockCacheCounts().fresh, before.fresh + 1);
    EXPECT_EQ(cpuBlockCacheCounts().reused, before.reused);
}

TEST(CpuBlockCache, LeavesSmallBlocksToTheSystem) {
    const CpuBlockCacheScope scope;
    const auto before = cpuBlockCacheCounts();
    for (int i = 0; i < 10; ++i) torch::empty({1024});
    const auto after = cpuBlockCacheCounts();
    EXPECT_EQ(after.fresh, before.fresh);
    EXPECT_EQ(after.reused, before.reused);
    EXPECT_EQ(after.waitingBytes, before.waitingBytes);
}

TEST(CpuBlockCache, KeepsAtMostItsLimitWaiting) {
    const CpuBlockCacheScope scope;
    constexpr std::int64_t blockFloats = std::int64_t(64) << 20 >> 2; // 64 MiB, never touched
    std::vector<torch::Tensor> blocks;
    for (std::size_t held = 0; held <= kCachedBlocksLimitBytes; held += std::size_t(blockFloats) * 4)
        blocks.push_back(torch::empty({blockFloats}));
    blocks.clear();
    const auto waiting = std::size_t(cpuBlockCacheCounts().waitingBytes);
    EXPECT_LE(waiting, kCachedBlocksLimitBytes);
    EXPECT_GT(waiting, kCachedBlocksLimitBytes - std::size_t(blockFloats) * 4);
}

TEST(CpuBlockCache, AResNetGivesTheSameOutputsOnReusedBlocks) {
    torch::manual_seed(0);
    auto model = createClassifier(architectureSpec("resnet18"), 3);
    model->eval();
    torch::NoGradGuard noGrad;
    const auto images = torch::randn({4, 3, 224, 224});
    const auto fresh = model->forward(images);
    const CpuBlockCacheScope scope;
    const auto before = cpuBlockCacheCounts();
    model->forward(images);
    const auto again = model->forward(images); // the stem's 12.8 MB activations come from the cache
    EXPECT_GT(cpuBlockCacheCounts().reused, before.reused);
    EXPECT_TRUE(torch::equal(again, fresh));
}

TEST(CpuBlockCache, ThreadsNeverShareABlock) {
    const CpuBlockCacheScope scope;
    std::vector<std::thread> threads;
    std::vector<int> mixedUp(4, 0);
    for (int id = 0; id < 4; ++id)
        threads.emplace_back([id, &mixedUp] {
            for (int i = 0; i < 200; ++i) {
                const auto block = torch::full({kLargeFloats}, float(id));
                std::this_thread::yield();
                if (!block.eq(float(id)).all().item<bool>()) ++mixedUp[std::size_t(id)];
            }
        });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(mixedUp, std::vector<int>(4, 0));
    EXPECT_GT(cpuBlockCacheCounts().reused, 0);
}

} // namespace
} // namespace graft
