#include "common/Error.h"
#include "models/Architectures.h"
#include "models/PthReader.h"
#include "models/ScriptBackbones.h"
#include "models/TorchScriptClassifier.h"

#include "ErrorText.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/sgd.h>

#include <cstdlib>
#include <map>

namespace graft {
namespace {

namespace fs = std::filesystem;

// Written by tests/fixtures/make_torchvision_fixtures.py: a scripted MobileNetV3-Small feature
// extractor (N x 576), a traced ResNet-18 trunk (N x 512 x H x W), their outputs for a fixed
// 96 x 96 input, and a script that returns a tuple.
const fs::path kFixtures = TORCHVISION_FIXTURE_DIR;

std::map<std::string, torch::Tensor> references() {
    std::map<std::string, torch::Tensor> byName;
    for (auto& [name, tensor] : readPthFile(kFixtures / "torchscript_features.pth")) byName[name] = tensor;
    return byName;
}

using testing::errorOf;

TEST(TorchScriptClassifier, ScriptedExtractorMatchesPyTorchAndItsDimensionIsProbed) {
    TorchScriptClassifierImpl model(kFixtures / "mobilenet_v3_small_features.pt", 96, 4);
    EXPECT_EQ(model.featureDim(), 576);
    const auto expected = references();
    const auto features = model.features(expected.at("input"));
    EXPECT_LE((features - expected.at("pooled")).abs().max().item<float>(), 1e-4f);
    EXPECT_EQ(model.forward(expected.at("input")).sizes(), torch::IntArrayRef({2, 4}));
}

TEST(TorchScriptClassifier, FeatureMapsOfATracedTrunkAreAveragePooled) {
    TorchScriptClassifierImpl model(kFixtures / "resnet18_trunk.pt", 96, 3);
    EXPECT_EQ(model.featureDim(), 512);
    const auto expected = references();
    EXPECT_LE((model.features(expected.at("input")) - expected.at("trunk")).abs().max().item<float>(), 1e-4f);
}

TEST(TorchScriptClassifier, TrainingMovesOnlyTheHeadAndLeavesTheExtractorFrozen) {
    TorchScriptClassifierImpl model(kFixtures / "mobilenet_v3_small_features.pt", 96, 3);
    EXPECT_GT(model.extractorParameters(), 900'000);
    // Only the head is a parameter of the module, so an optimizer cannot reach the extractor.
    const auto parameters = model.named_parameters();
    ASSERT_EQ(parameters.size(), 2u);
    EXPECT_TRUE(parameters.contains("head.weight"));
    EXPECT_TRUE(parameters.contains("head.bias"));

    torch::manual_seed(0);
    const auto images = torch::randn({4, 3, 96, 96});
    const auto labels = torch::tensor({0, 1, 2, 0}, torch::kInt64);
    const auto featuresBefore = model.features(images);
    const auto headBefore = parameters["head.weight"].detach().clone();
    model.train();
    torch::optim::SGD optimizer(model.parameters(), 0.1);
    for (int step = 0; step < 3; ++step) {
        optimizer.zero_grad();
        torch::nn::functional::cross_entropy(model.forward(images), labels).backward();
        optimizer.step();
    }
    EXPECT_TRUE(torch::equal(model.features(images), featuresBefore));
    EXPECT_FALSE(torch::equal(parameters["head.weight"].detach(), headBefore));
}

TEST(TorchScriptClassifier, RefusesFilesThatAreNotFeatureExtractorsNamingTheFile) {
    const auto notScript = kFixtures / "notes.pth";
    const auto message = errorOf([&] { TorchScriptClassifierImpl(notScript, 96, 2); });
    EXPECT_NE(message.find(notScript.string()), std::string::npos) << message;
    EXPECT_NE(message.find("not a TorchScript file"), std::string::npos) << message;

    const auto pair = errorOf([&] { TorchScriptClassifierImpl(kFixtures / "pair_output.pt", 96, 2); });
    EXPECT_NE(pair.find("pair_output.pt"), std::string::npos) << pair;
    EXPECT_NE(pair.find("must return one tensor"), std::string::npos) << pair;

    EXPECT_NE(errorOf([&] { TorchScriptClassifierImpl(kFixtures / "absent.pt", 96, 2); }).find("no such"),
              std::string::npos);
}

class ScriptBackboneImport : public ::testing::Test {
protected:
    void SetUp() override {
        const char* previous = std::getenv("GRAFT_CACHE_DIR");
        if (previous) previous_ = previous;
        setenv("GRAFT_CACHE_DIR", cache_.path().c_str(), 1);
    }
    void TearDown() override {
        if (previous_) setenv("GRAFT_CACHE_DIR", previous_->c_str(), 1);
        else unsetenv("GRAFT_CACHE_DIR");
    }
    testing::TempDir cache_;
    std::optional<std::string> previous_;
};

TEST_F(ScriptBackboneImport, ImportedScriptBecomesAnArchitectureWithItsPreprocessing) {
    PreprocessSpec input;
    input.resizeShorter = 110;
    input.crop = 96;
    const auto imported = importScriptBackbone("mnv3s", kFixtures / "mobilenet_v3_small_features.pt", input, cache_.path());
    EXPECT_EQ(imported.featureDim, 576);
    ASSERT_EQ(scriptBackbones(cache_.path()).size(), 1u);

    const auto spec = architectureSpec("script:mnv3s");
    EXPECT_EQ(spec.preprocess.crop, 96);
    EXPECT_EQ(spec.preprocess.resizeShorter, 110);
    EXPECT_EQ(spec.preprocess.color, ColorMode::Rgb);
    auto model = createClassifier(spec, 5);
    EXPECT_EQ(model->forward(torch::zeros({2, 3, 96, 96})).sizes(), torch::IntArrayRef({2, 5}));
}

TEST_F(ScriptBackboneImport, ABrokenScriptOrBadNameLeavesTheCacheEmpty) {
    PreprocessSpec input;
    input.resizeShorter = 110;
    input.crop = 96;
    EXPECT_THROW(importScriptBackbone("pair", kFixtures / "pair_output.pt", input, cache_.path()), Error);
    EXPECT_THROW(importScriptBackbone("../escape", kFixtures / "resnet18_trunk.pt", input, cache_.path()), Error);
    EXPECT_TRUE(fs::is_empty(cache_.path()));
    const auto message = errorOf([] { architectureSpec("script:pair"); });
    EXPECT_NE(message.find("none yet"), std::string::npos) << message;
}

} // namespace
} // namespace graft
