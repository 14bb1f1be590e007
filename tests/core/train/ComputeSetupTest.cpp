#include "train/ComputeSetup.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <thread>

namespace graft {
namespace {

TEST(ComputeSetup, ACoreShareLimitsOnlyTheThreadThatHoldsIt) {
    useCpuCores();
    const int all = int(std::thread::hardware_concurrency());
    EXPECT_EQ(at::get_num_threads(), all);
    int shared = 0, afterShare = 0;
    std::thread([&] {
        {
            CoreShare share(1);
            useCpuCores();
            shared = at::get_num_threads();
        }
        useCpuCores();
        afterShare = at::get_num_threads();
    }).join();
    EXPECT_EQ(shared, 1);
    EXPECT_EQ(afterShare, all);
    EXPECT_EQ(at::get_num_threads(), all) << "the main thread keeps every core";
}

TEST(ComputeSetup, AThreadLimitCapsEveryLaterRunAndZeroLiftsIt) {
    const int all = int(std::thread::hardware_concurrency());
    setCpuThreadLimit(1);
    int limited = 0;
    std::thread([&] { // a worker, as a training job runs on
        useCpuCores();
        limited = at::get_num_threads();
    }).join();
    EXPECT_EQ(limited, 1);
    setCpuThreadLimit(0);
    int lifted = 0;
    std::thread([&] {
        useCpuCores();
        lifted = at::get_num_threads();
    }).join();
    EXPECT_EQ(lifted, all);
    EXPECT_EQ(cpuThreadLimit(), 0);
}

} // namespace
} // namespace graft
