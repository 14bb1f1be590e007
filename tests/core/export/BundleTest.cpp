#include "export/Bundle.h"
#include "export/LoadedBundle.h"

#include "common/Error.h"
#include "data/PreprocessJson.h"
#include "models/Architectures.h"
#include "models/Classifier.h"
#include "project/ProjectFile.h"
#include "train/RunModel.h"

#include "TempDir.h"
#include "TrainedShapesRun.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace graft {
namespace {

using testing::TrainedShapesRun;

TEST_F(TrainedShapesRun, BundleReadsBackAsTheRunsModelWithItsLabelsTransformAndCard) {
    const auto folder = dir_ / "bundle";
    const auto report = exportRunBundle(project(), runId_, folder, {}, {});
    EXPECT_EQ(report.replay.topOneAgreements, report.replay.images);
    EXPECT_FALSE(std::filesystem::exists(folder.string() + ".partial"));

    const auto bundle = loadBundle(folder);
    Database db = openProject(project(), ProjectAccess::ReadOnly);
    const auto run = loadRunModel(db, runId_, "run");
    EXPECT_EQ(bundle.labels, run.spec.classes);
    EXPECT_EQ(preprocessJson(bundle.input), preprocessJson(architectureSpec("tinynet").preprocess));
    const auto images = torch::randn({3, 1, 28, 28});
    torch::NoGradGuard noGrad;
    auto model = bundle.model;
    EXPECT_LT((model.forward({images}).toTensor() - run.model->forward(images)).abs().max().item<double>(), 1e-5);

    const auto metrics = nlohmann::json::parse(testing::readFile(folder / "metrics.json"));
    EXPECT_EQ(metrics["heldOut"]["images"], report.replay.images);
    EXPECT_NEAR(metrics["heldOut"]["accuracy"].get<double>(), report.accuracy, 1e-12);
    EXPECT_EQ(metrics["heldOut"]["classes"].size(), run.spec.classes.size());
    EXPECT_FALSE(metrics.contains("experiment"));
    const auto card = testing::readFile(folder / "README.md");
    for (const auto* section : {"## Data", "## Results on held-out images", "## Did transfer help?", "## Parity",
                                "## Use", "## Intended use and limits", "not a trial of an experiment"})
        EXPECT_NE(card.find(section), std::string::npos) << section << "\n" << card;
}

TEST_F(TrainedShapesRun, AnExistingFolderIsRefusedAndLeftAsItWas) {
    const auto folder = dir_ / "taken";
    std::filesystem::create_directories(folder);
    testing::writeFile(folder / "notes.txt", "mine");
    EXPECT_THROW(exportRunBundle(project(), runId_, folder, {}, {}), Error);
    EXPECT_EQ(testing::readFile(folder / "notes.txt"), "mine");
    EXPECT_FALSE(std::filesystem::exists(folder / "model.pt"));
}

TEST_F(TrainedShapesRun, AStoppedBundleLeavesNothingBehind) {
    std::stop_source stop;
    stop.request_stop();
    EXPECT_THROW(exportRunBundle(project(), runId_, dir_ / "bundle", {}, stop.get_token()), Error);
    EXPECT_FALSE(std::filesystem::exists(dir_ / "bundle"));
    EXPECT_FALSE(std::filesystem::exists(dir_ / "bundle.partial"));
}

TEST_F(TrainedShapesRun, ATruncatedBundleModelIsRefusedNamingTheFile) {
    const auto folder = dir_ / "bundle";
    exportRunBundle(project(), runId_, folder, {}, {});
    const auto bytes = testing::readFile(folder / "model.pt");
    testing::writeFile(folder / "model.pt", bytes.substr(0, bytes.size() / 2));
    try {
        loadBundle(folder);
        FAIL() << "half a TorchScript file loaded";
    } catch (const Error& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find((folder / "model.pt").string()), std::string::npos) << message;
        EXPECT_NE(message.find("not a TorchScript file"), std::string::npos) << message;
    }
}

TEST(LoadedBundle, AMalformedTransformIsRefusedNamingTheFile) {
    testing::TempDir dir;
    testing::writeFile(dir / "preprocess.json", R"({"resizeShorter": 28, "crop": 28, "color": "cmyk"})");
    try {
        loadBundle(dir.path());
        FAIL() << "cmyk is no colour mode";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("preprocess.json"), std::string::npos) << error.what();
    }
}

} // namespace
} // namespace graft
