#include "common/Error.h"
#include "common/Sha256.h"
#include "models/Architectures.h"
#include "models/Classifier.h"
#include "models/Zoo.h"

#include "LocalHttpServer.h"
#include "ErrorText.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

namespace graft {
namespace {

namespace fs = std::filesystem;

// torchvision-format ResNet-18 weights written by the fixture step (not the official file).
const fs::path kResNet18 = fs::path(TORCHVISION_FIXTURE_DIR) / "resnet18.pth";

using testing::errorOf;

TEST(ZooManifest, EveryEntryBuildsNativelyAndCarriesTheHashFromItsFileName) {
    const auto entries = zooEntries();
    ASSERT_EQ(entries.size(), 7u);
    for (const auto& entry : entries) {
        EXPECT_NO_THROW(architectureSpec(entry.arch)) << entry.name;
        EXPECT_GE(entry.sha256.size(), 8u) << entry.name;
        EXPECT_NE(entry.fileName.find("-" + entry.sha256 + ".pth"), std::string::npos) << entry.name;
        EXPECT_TRUE(entry.url.ends_with("/" + entry.fileName)) << entry.name;
    }
}

TEST(ZooManifest, AgreesWithTorchvisionOnUrlAccuracyParametersAndTransform) {
    std::ifstream referenceFile(fs::path(TORCHVISION_FIXTURE_DIR) / "zoo_reference.json");
    const auto reference = nlohmann::json::parse(referenceFile);
    for (const auto& entry : zooEntries()) {
        const auto match = std::find_if(reference.begin(), reference.end(), [&](const auto& item) {
            return item["url"] == entry.url && item["weights"] == entry.weights;
        });
        ASSERT_NE(match, reference.end()) << entry.name << ": torchvision has no weights at " << entry.url;
        const auto& item = *match;
        EXPECT_DOUBLE_EQ(entry.imagenetTop1, item["top1"].get<double>()) << entry.name;
        EXPECT_EQ(entry.parameters, item["parameters"].get<std::int64_t>()) << entry.name;
        EXPECT_EQ(entry.input.resizeShorter, item["resize"].get<int>()) << entry.name;
        EXPECT_EQ(entry.input.crop, item["crop"].get<int>()) << entry.name;
        EXPECT_EQ(entry.input.interpolation == Interpolation::Bicubic ? "bicubic" : "bilinear",
                  item["interpolation"].get<std::string>()) << entry.name;
        for (std::size_t c = 0; c < 3; ++c) {
            EXPECT_FLOAT_EQ(entry.input.mean[c], item["mean"][c].get<float>()) << entry.name;
            EXPECT_FLOAT_EQ(entry.input.std[c], item["std"][c].get<float>()) << entry.name;
        }
        // Training and predict use the architecture's preprocessing: it must be the weights'.
        const auto arch = architectureSpec(entry.arch);
        EXPECT_EQ(arch.preprocess.resizeShorter, entry.input.resizeShorter) << entry.name;
        EXPECT_EQ(arch.preprocess.crop, entry.input.crop) << entry.name;
        EXPECT_EQ(arch.preprocess.interpolation, entry.input.interpolation) << entry.name;
        EXPECT_EQ(arch.preprocess.mean, entry.input.mean) << entry.name;
        // And the native model has the parameter count torchvision publishes.
        auto model = createClassifier(arch, 1000);
        std::int64_t parameters = 0;
        for (const auto& parameter : model->parameters()) parameters += parameter.numel();
        EXPECT_EQ(parameters, entry.parameters) << entry.name;
    }
}

TEST(ZooImport, CopiesAVerifiedLoadableFileIntoTheCache) {
    testing::TempDir cache;
    auto entry = zooEntry("resnet18");
    entry.sha256 = fileSha256Hex(kResNet18);
    const auto cached = importZooWeights(entry, kResNet18, cache.path());
    EXPECT_EQ(cached, cache / entry.fileName);
    EXPECT_EQ(testing::readFile(cached), testing::readFile(kResNet18));
}

TEST(ZooImport, RefusesAFileWhoseHashIsNotTheEntrys) {
    testing::TempDir cache;
    const std::string error = errorOf([&] { importZooWeights(zooEntry("resnet18"), kResNet18, cache.path()); });
    EXPECT_NE(error.find("has f37072fd; this is not that file"), std::string::npos) << error;
    EXPECT_TRUE(fs::is_empty(cache.path()));
}

TEST(ZooImport, RefusesWeightsOfAnotherArchitectureNamingTheMismatch) {
    testing::TempDir cache;
    auto entry = zooEntry("resnet50");
    entry.sha256 = fileSha256Hex(kResNet18);
    const std::string error = errorOf([&] { importZooWeights(entry, kResNet18, cache.path()); });
    EXPECT_NE(error.find("layer1.0.conv1.weight: shape [64, 64, 3, 3]"), std::string::npos) << error;
    EXPECT_TRUE(fs::is_empty(cache.path()));
}

// The download goes to a server the test runs on 127.0.0.1, checked against the short hash
// prefix torchvision publishes.
TEST(ZooDownload, FetchesChecksAndCachesTheWeights) {
    testing::TempDir cache;
    testing::LocalHttpServer server(testing::readFile(kResNet18));
    auto entry = zooEntry("resnet18");
    entry.url = server.url("/" + entry.fileName);
    entry.sha256 = fileSha256Hex(kResNet18).substr(0, 8);
    std::int64_t lastDone = 0;
    const auto cached = downloadZooWeights(entry, cache.path(), [&](const Progress& progress) { lastDone = progress.done; });
    EXPECT_EQ(testing::readFile(cached), testing::readFile(kResNet18));
    EXPECT_EQ(lastDone, std::int64_t(fs::file_size(kResNet18)));
}

} // namespace
} // namespace graft
