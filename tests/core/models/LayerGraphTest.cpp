#include "models/Architectures.h"
#include "models/Classifier.h"
#include "models/LayerGraph.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>

namespace graft {
namespace {

class EveryArchitecture : public ::testing::TestWithParam<std::string> {};

// The blocks are what the freeze UI shows, so they must be the whole network, in order.
TEST_P(EveryArchitecture, BlocksChainedInOrderComputeForward) {
    const auto spec = architectureSpec(GetParam());
    auto model = createClassifier(spec, 7);
    model->eval();
    torch::NoGradGuard noGrad;
    const auto input = torch::randn({2, spec.preprocess.channels(), 64, 64});
    auto x = input;
    for (auto& block : model->blocks()) x = block.forward(x);
    EXPECT_TRUE(torch::allclose(x, model->forward(input), 1e-5, 1e-5));
}

TEST_P(EveryArchitecture, EveryParameterBelongsToExactlyOneBlock) {
    auto model = createClassifier(architectureSpec(GetParam()), 7);
    const auto blocks = model->blocks();
    for (const auto& parameter : model->named_parameters()) {
        int owners = 0;
        for (const auto& block : blocks)
            for (const auto& prefix : block.parameterPrefixes) owners += parameter.key().starts_with(prefix);
        EXPECT_EQ(owners, 1) << parameter.key();
    }
}

std::vector<std::string> architectureNames() {
    std::vector<std::string> names;
    for (const auto& spec : architectures()) names.push_back(spec.name);
    return names;
}

INSTANTIATE_TEST_SUITE_P(Zoo, EveryArchitecture, ::testing::ValuesIn(architectureNames()),
                         [](const auto& info) { return info.param; });

TEST(LayerGraph, ResNet18ShapesAndParametersMatchTorchvision) {
    const auto graph = buildLayerGraph("resnet18");
    std::map<std::string, LayerGraphBlock> byName;
    for (const auto& block : graph.blocks) byName[block.name] = block;
    EXPECT_EQ(graph.blocks.front().name, "stem");
    EXPECT_EQ(byName["stem"].outputShape, (std::vector<std::int64_t>{64, 56, 56}));
    EXPECT_EQ(byName["layer4"].outputShape, (std::vector<std::int64_t>{512, 7, 7}));
    EXPECT_EQ(byName["layer4"].type, "Sequential(2 x BasicBlock)");
    EXPECT_EQ(byName["fc"].outputShape, (std::vector<std::int64_t>{1000}));
    EXPECT_EQ(graph.totalParameters(), 11689512); // torchvision's ResNet18_Weights num_params
    EXPECT_EQ(buildLayerGraph("mobilenet_v2").blocks.back().type, "Sequential(Dropout, Linear)");
}

// torchvision's weight metadata gives GFLOPS as multiply-accumulates at 224 px; the profiler counts
// 2 per MAC plus elementwise work (residual adds, SE scaling), so half of it sits a little above.
TEST(LayerGraph, FlopsAgreeWithTorchvisionPublishedFigures) {
    const std::map<std::string, double> publishedGMacs = {
        {"resnet18", 1.814}, {"resnet50", 4.089}, {"mobilenet_v2", 0.301}, {"efficientnet_b0", 0.386}};
    for (const auto& [arch, gmacs] : publishedGMacs) {
        const double measured = double(buildLayerGraph(arch).totalFlops()) / 2e9;
        EXPECT_GT(measured, gmacs * 0.99) << arch;
        EXPECT_LT(measured, gmacs * 1.05) << arch;
    }
}

} // namespace
} // namespace graft
