#include "train/ComputeSetup.h"
#include "train/DeviceRequest.h"

#include "ErrorText.h"

#include <gtest/gtest.h>
#include <torch/cuda.h>

namespace graft {
namespace {

TEST(DeviceRequest, ParsesEveryFormAndRefusesOthersListingThem) {
    EXPECT_EQ(DeviceRequest::parse("auto").kind, DeviceRequest::Kind::Auto);
    EXPECT_EQ(DeviceRequest::parse("cpu").kind, DeviceRequest::Kind::Cpu);
    EXPECT_EQ(DeviceRequest::parse("cuda").index, 0);
    const auto second = DeviceRequest::parse("cuda:1");
    EXPECT_EQ(second.kind, DeviceRequest::Kind::Cuda);
    EXPECT_EQ(second.index, 1);
    for (const char* bad : {"gpu", "cuda:", "cuda:x", "cuda:-1", "CPU"})
        EXPECT_NE(testing::errorOf([&] { DeviceRequest::parse(bad); }).find("(auto, cpu, cuda or cuda:N)"),
                  std::string::npos)
            << bad;
}

TEST(DeviceRequest, AGpuThatIsNotThereIsAnErrorThatSaysWhatThereIs) {
    EXPECT_EQ(resolveDevice("cpu"), torch::Device(torch::kCPU));
    const auto gpus = torch::cuda::device_count();
    if (gpus == 0) {
        EXPECT_EQ(resolveDevice("auto"), torch::Device(torch::kCPU));
        EXPECT_NE(testing::errorOf([] { resolveDevice("cuda:0"); }).find("no CUDA GPU is available"), std::string::npos);
    } else {
        EXPECT_EQ(resolveDevice("auto"), torch::Device(torch::kCUDA, 0));
        EXPECT_NE(testing::errorOf([] { resolveDevice("cuda:99"); }).find("cuda:0"), std::string::npos);
    }
}

} // namespace
} // namespace graft
