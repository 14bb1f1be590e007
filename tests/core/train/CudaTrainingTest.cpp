// The CUDA subset: skipped where LibTorch sees no GPU (Debian's LibTorch is CPU-only), run on a
// CUDA machine by building against a CUDA LibTorch.
#include "models/TinyNet.h"
#include "train/ComputeSetup.h"
#include "train/Trainer.h"

#include "ShapesData.h"

#include <gtest/gtest.h>
#include <torch/cuda.h>

namespace graft {
namespace {

class StepLosses : public TrainObserver {
public:
    void onStep(const StepEvent& event) override { losses.push_back(event.loss); }
    std::vector<double> losses;
};

TrainConfig cudaConfig() {
    TrainConfig config;
    config.epochs = 3;
    config.batchSize = 16;
    config.device = "cuda:0";
    return config;
}

TEST(CudaTraining, MixedPrecisionChannelsLastLearnsAndKeepsFloat32Weights) {
    if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA GPU";
    torch::manual_seed(0);
    auto model = std::make_shared<TinyNetImpl>(1, 3);
    StepLosses observer;
    Trainer(model, cudaConfig(), resolveDevice("cuda:0")).train(testing::shapesTensors(40, 1), {}, observer, {});
    ASSERT_EQ(observer.losses.size(), 24u);
    EXPECT_LT(observer.losses.back(), 0.6 * observer.losses.front());
    for (const auto& parameter : model->parameters()) {
        EXPECT_TRUE(parameter.is_cuda());
        EXPECT_EQ(parameter.scalar_type(), torch::kFloat32) << "autocast must not change the master weights";
        if (parameter.dim() == 4) {
            EXPECT_TRUE(parameter.is_contiguous(torch::MemoryFormat::ChannelsLast));
        }
    }
}

TEST(CudaTraining, FullPrecisionOnTheGpuFollowsTheCpuLossCurve) {
    if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA GPU";
    auto config = cudaConfig();
    config.mixedPrecision = false;
    config.channelsLast = false;
    // Adam divides by the gradient's magnitude, so it turns rounding-level differences in tiny
    // gradients into full-size steps; SGD keeps them rounding-sized.
    config.optimizer = "sgd";
    config.learningRate = 0.05;
    const auto data = testing::shapesTensors(20, 1);
    StepLosses gpu, cpu;
    // cuDNN convolutions default to TF32 (10-bit mantissa), whose 1e-3 errors compound over steps;
    // this test compares true float32 arithmetic.
    at::globalContext().setAllowTF32CuDNN(false);
    torch::manual_seed(0);
    Trainer(std::make_shared<TinyNetImpl>(1, 3), config, resolveDevice("cuda:0")).train(data, {}, gpu, {});
    at::globalContext().setAllowTF32CuDNN(true);
    config.device = "cpu";
    torch::manual_seed(0);
    Trainer(std::make_shared<TinyNetImpl>(1, 3), config, torch::kCPU).train(data, {}, cpu, {});
    ASSERT_EQ(gpu.losses.size(), cpu.losses.size());
    for (std::size_t i = 0; i < cpu.losses.size(); ++i) EXPECT_NEAR(gpu.losses[i], cpu.losses[i], 1e-3) << "step " << i + 1;
}

} // namespace
} // namespace graft
