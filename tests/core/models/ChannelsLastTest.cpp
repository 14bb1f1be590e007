#include "models/Architectures.h"
#include "models/ChannelsLast.h"
#include "models/Classifier.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace graft {
namespace {

TEST(ChannelsLast, ConvertedModelKeepsItsWeightsAndGivesTheSameLogitsFromNhwcInput) {
    torch::manual_seed(0);
    auto model = createClassifier(architectureSpec("resnet18"), 5);
    model->eval();
    torch::NoGradGuard noGrad;
    const auto images = torch::randn({2, 3, 64, 64});
    const auto expected = model->forward(images);
    const auto weightBefore = model->named_parameters()["conv1.weight"].clone();

    convertToChannelsLast(*model);
    const auto weight = model->named_parameters()["conv1.weight"];
    EXPECT_TRUE(weight.is_contiguous(torch::MemoryFormat::ChannelsLast));
    EXPECT_FALSE(weight.is_contiguous()) << "still NCHW";
    EXPECT_TRUE(torch::equal(weight, weightBefore));
    const auto nhwc = channelsLast(images);
    EXPECT_FALSE(nhwc.is_contiguous());
    EXPECT_TRUE(torch::allclose(model->forward(nhwc), expected, 1e-4, 1e-4));
}

TEST(ChannelsLast, LeavesTensorsThatAreNotImageBatchesAlone) {
    const auto features = torch::randn({4, 512});
    EXPECT_TRUE(channelsLast(features).is_same(features));
}

} // namespace
} // namespace graft
