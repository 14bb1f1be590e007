#include "models/BuiltInWeights.h"

#include "common/Sha256.h"
#include "models/Architectures.h"
#include "models/Classifier.h"
#include "models/Weights.h"
#include "models/WeightsReference.h"

#include "ErrorText.h"
#include "RequiredData.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>

namespace graft {
namespace {

const std::filesystem::path kPretrained = std::filesystem::path(GRAFT_SOURCE_DIR) / "resources" / "pretrained";

TEST(BuiltInWeights, TinyNetFmnistIsTheCommittedFileItsManifestDescribes) {
    const auto weights = builtInWeights("tinynet-fmnist");
    const auto manifest = nlohmann::json::parse(weights.manifestJson);
    EXPECT_EQ(weights.arch, "tinynet");
    EXPECT_EQ(sha256Hex(weights.bytes), manifest.at("sha256").get<std::string>());
    EXPECT_EQ(fileSha256Hex(kPretrained / "tinynet-fmnist.pt"), manifest.at("sha256").get<std::string>());
    EXPECT_EQ(nlohmann::json::parse(testing::readFile(kPretrained / "tinynet-fmnist.json")), manifest);
    EXPECT_EQ(manifest.at("source").at("trainImages"), 60000);
    EXPECT_EQ(manifest.at("epochs"), 2);
}

TEST(BuiltInWeights, BuiltInReferenceLoadsIntoEveryTensorOfItsArchitecture) {
    auto model = createClassifier(architectureSpec("tinynet"), 10);
    EXPECT_NO_THROW(loadAllWeights(*model, readWeightsReference("builtin:tinynet-fmnist"), "builtin:tinynet-fmnist"));
}

TEST(BuiltInWeights, UnknownNameListsTheBuiltInOnes) {
    const std::string error = testing::errorOf([] { readWeightsReference("builtin:resnet-fmnist"); });
    EXPECT_NE(error.find("unknown built-in weights 'resnet-fmnist' (known: tinynet-fmnist)"), std::string::npos) << error;
}

// PyTorch, with its own TinyNet and its own reading of the IDX files, scores the committed
// weights on Fashion-MNIST's test images as the manifest says Graft measured them.
TEST(BuiltInWeights, PyTorchMeasuresTheManifestsHeldOutAccuracy) {
    GRAFT_REQUIRE_DATA("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", "dataset-fashion-mnist");
    const auto manifest = nlohmann::json::parse(builtInWeights("tinynet-fmnist").manifestJson);
    ASSERT_EQ(manifest.at("source").at("testImages"), 10000);
    const std::string command = std::string(GRAFT_REFERENCE_PYTHON) + " " + FASHION_ACCURACY_SCRIPT + " " +
                                (kPretrained / "tinynet-fmnist.pt").string() + " " + (kPretrained / "tinynet-fmnist.json").string();
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    ASSERT_TRUE(pipe);
    double accuracy = -1;
    ASSERT_EQ(std::fscanf(pipe.get(), "%lf", &accuracy), 1) << command;
    // Graft evaluates channels-last; a handful of the 10,000 predictions may round the other way.
    EXPECT_NEAR(accuracy, manifest.at("testAccuracy").get<double>(), 0.001);
}

} // namespace
} // namespace graft
