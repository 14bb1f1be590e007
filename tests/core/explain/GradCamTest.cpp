#include "common/Error.h"
#include "explain/GradCam.h"
#include "models/Architectures.h"
#include "models/BuiltInWeights.h"
#include "models/Classifier.h"
#include "models/Weights.h"

#include "ErrorText.h"
#include "ShapesData.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace graft {
namespace {

// TinyNet as pretrained on Fashion-MNIST: a trained network whose maps mean something.
std::shared_ptr<ClassifierImpl> pretrainedTinyNet() {
    auto model = createClassifier(architectureSpec("tinynet"), 10);
    loadAllWeights(*model, builtInWeights("tinynet-fmnist").bytes, "builtin:tinynet-fmnist");
    model->eval();
    return model;
}

double correlation(const torch::Tensor& a, const torch::Tensor& b) {
    const auto x = a.flatten().to(torch::kFloat64) - a.mean().item<double>();
    const auto y = b.flatten().to(torch::kFloat64) - b.mean().item<double>();
    return ((x * y).sum() / (x.norm() * y.norm() + 1e-12)).item<double>();
}

TEST(GradCam, ReadsTheLastStageBeforeGlobalPoolingByDefault) {
    EXPECT_EQ(lastConvolutionalBlock(*createClassifier(architectureSpec("tinynet"), 3)), "stage3");
    EXPECT_EQ(lastConvolutionalBlock(*createClassifier(architectureSpec("resnet18"), 3)), "layer4");
    EXPECT_EQ(lastConvolutionalBlock(*createClassifier(architectureSpec("mobilenet_v2"), 3)), "features.18");
    auto model = pretrainedTinyNet();
    const auto cam = gradCam(*model, torch::randn({1, 28, 28}));
    EXPECT_EQ(cam.block, "stage3");
    EXPECT_EQ(cam.targetClass, cam.logits.argmax().item<std::int64_t>());
    EXPECT_EQ(cam.blockMap.sizes(), (std::vector<std::int64_t>{7, 7}));
    EXPECT_EQ(cam.map.sizes(), (std::vector<std::int64_t>{28, 28}));
    EXPECT_NEAR(cam.map.min().item<double>(), 0, 1e-6);
    EXPECT_NEAR(cam.map.max().item<double>(), 1, 1e-6);
}

TEST(GradCam, LeavesNoGradientsOnTheModelsParameters) {
    auto model = pretrainedTinyNet();
    gradCam(*model, torch::randn({1, 28, 28}));
    for (const auto& parameter : model->parameters()) EXPECT_FALSE(parameter.grad().defined());
}

TEST(GradCam, NamesTheBlocksWhenOneIsUnknownOrNotSpatial) {
    auto model = pretrainedTinyNet();
    const auto image = torch::randn({1, 28, 28});
    const auto failure = [&](const std::string& block, std::optional<std::int64_t> targetClass) {
        return testing::errorOf([&] { gradCam(*model, image, {targetClass, block}); });
    };
    EXPECT_EQ(failure("stage9", std::nullopt), "no block named \"stage9\"; the blocks are stem, stage1, stage2, stage3, pool, head");
    EXPECT_EQ(failure("head", std::nullopt), "block \"head\" outputs 2-D features, not a spatial map; Grad-CAM needs a "
                                             "convolutional block such as \"stage3\"");
    EXPECT_EQ(failure("", 10), "class 10 is out of range: the model has 10 classes");
}

// Adebayo et al. (2018), cascading randomisation: a map that still looks the same once the top of
// the network is random would not be explaining the model.
TEST(GradCam, MapsChangeWhenTheTopLayersAreRandomised) {
    auto trained = pretrainedTinyNet();
    auto randomised = pretrainedTinyNet();
    torch::manual_seed(1);
    auto fresh = createClassifier(architectureSpec("tinynet"), 10);
    {
        torch::NoGradGuard noGrad;
        const auto freshParameters = fresh->named_parameters();
        for (auto& item : randomised->named_parameters())
            if (item.key().starts_with("stage3.") || item.key().starts_with("head.")) item.value().copy_(freshParameters[item.key()]);
    }
    const auto images = testing::shapesTensors(4, 7).images;
    double total = 0;
    for (std::int64_t i = 0; i < images.size(0); ++i) {
        const auto original = gradCam(*trained, images[i]);
        const auto after = gradCam(*randomised, images[i], {original.targetClass, ""});
        const double r = correlation(original.map, after.map);
        total += r;
    }
    const double mean = total / double(images.size(0));
    EXPECT_LT(mean, 0.5) << "mean correlation between the trained and randomised models' maps";
}

} // namespace
} // namespace graft
