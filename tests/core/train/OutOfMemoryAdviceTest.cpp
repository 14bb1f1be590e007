#include "train/OutOfMemoryAdvice.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace graft {
namespace {

// LibTorch's own error for an allocation no machine can satisfy (4 TB), not a made-up message.
TEST(OutOfMemoryAdvice, LibTorchsAllocationFailureBecomesAdviceWithTheBatchSize) {
    TrainConfig config;
    config.batchSize = 256;
    config.device = "cpu";
    try {
        auto huge = torch::empty({std::int64_t(1) << 40}, torch::kFloat);
        GTEST_SKIP() << "this machine overcommits memory without limit; no allocation failure to translate";
    } catch (const c10::Error& error) {
        const auto advice = outOfMemoryAdvice(error, config);
        ASSERT_TRUE(advice.has_value()) << error.what();
        EXPECT_NE(advice->find("out of memory with batch size 256 on cpu"), std::string::npos) << *advice;
        EXPECT_NE(advice->find("4.0 TB"), std::string::npos) << *advice;
        EXPECT_NE(advice->find("try 128"), std::string::npos) << *advice;
    }
}

TEST(OutOfMemoryAdvice, BadAllocIsOutOfMemoryToo) {
    EXPECT_TRUE(outOfMemoryAdvice(std::bad_alloc(), TrainConfig{}).has_value());
}

TEST(OutOfMemoryAdvice, OtherErrorsGetNone) {
    EXPECT_FALSE(outOfMemoryAdvice(std::runtime_error("training diverged: the loss became nan"), TrainConfig{}).has_value());
}

} // namespace
} // namespace graft
