#include "models/Architectures.h"
#include "models/TinyNet.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace graft {
namespace {

TEST(TinyNet, GivesOneLogitPerClassForAnyInputSize) {
    TinyNet net(1, 7);
    for (int size : {28, 64}) {
        const auto logits = net->forward(torch::randn({3, 1, size, size}));
        EXPECT_EQ(logits.sizes(), (std::vector<std::int64_t>{3, 7})) << size;
    }
}

TEST(TinyNet, ExposesNamedBlocksWithStateDictStyleNames) {
    TinyNet net(3, 2);
    std::vector<std::string> names;
    for (const auto& item : net->named_parameters()) names.push_back(item.key());
    EXPECT_EQ(names.front(), "stem.0.weight");
    EXPECT_EQ(names.back(), "head.bias");
    EXPECT_EQ(net->named_parameters()["stem.0.weight"].size(1), 3);
}

TEST(Architectures, UnknownArchitectureListsTheKnownOnes) {
    try {
        architectureSpec("resnet9000");
        FAIL();
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("tinynet"), std::string::npos);
    }
}

} // namespace
} // namespace graft
