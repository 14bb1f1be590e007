#include "export/Bundle.h"
#include "export/LoadedBundle.h"

#include "common/Error.h"
#include "data/PreprocessJson.h"
#include "metrics/Calibration.h"
#include "models/Architectures.h"
#include "models/Classifier.h"
#include "project/ProjectFile.h"
#include "train/ProjectTensors.h"
#include "train/RunModel.h"

#include "TempDir.h"
#include "TrainedShapesRun.h"
#include "TwoTaskShapes.h"

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

// A multi-task run's bundle: labels.json lists each task with its classes, metrics.json and the
// card report each task, and the model gives a dictionary of each task's logits.
TEST(Bundle, AMultiTaskRunsBundleReportsEachTaskAndReadsBackByTask) {
    testing::TempDir dir;
    const auto project = dir / "shapes.graft";
    testing::createTwoTaskShapesProject(project, 10);
    const auto run = testing::trainedTwoTaskRun(project);
    const auto report = exportRunBundle(project, run, dir / "bundle", {}, {});
    EXPECT_EQ(report.replay.topOneAgreements, report.replay.images);

    const auto bundle = loadBundle(dir / "bundle");
    ASSERT_EQ(bundle.tasks.size(), 2u);
    EXPECT_EQ(bundle.tasks[0].name, "class");
    EXPECT_EQ(bundle.tasks[1].name, "corners");
    EXPECT_EQ(bundle.labels.size(), 5u) << "every output's class, in output order";
    const auto metrics = nlohmann::json::parse(testing::readFile(dir / "bundle" / "metrics.json"));
    const double shapes = metrics["tasks"]["class"]["heldOut"]["accuracy"].get<double>();
    const double corners = metrics["tasks"]["corners"]["heldOut"]["accuracy"].get<double>();
    EXPECT_NEAR(report.accuracy, (shapes + corners) / 2, 1e-12);
    EXPECT_EQ(metrics["tasks"]["corners"]["heldOut"]["classes"].size(), 2u);
    const auto card = testing::readFile(dir / "bundle" / "README.md");
    for (const auto* section : {"## Task class", "## Task corners", "## Did sharing help?", "## Parity", "a head for each of 2 tasks"})
        EXPECT_NE(card.find(section), std::string::npos) << section << "\n" << card;
    EXPECT_THROW(exportRunBundle(project, run, dir / "calibrated", {}, {}, {.calibrate = true}), Error);
    EXPECT_FALSE(std::filesystem::exists(dir / "calibrated"));
}

TEST(Bundle, ARunAtAnotherInputSizeEvaluatesAndExportsAtThatSize) {
    testing::TempDir dir;
    const auto project = dir / "shapes.graft";
    {
        Database db = createProject(project);
        importSyntheticShapes(db, 20, 5);
    }
    TrainingRequest request;
    request.project = project;
    request.config.epochs = 1;
    request.config.batchSize = 16;
    request.config.inputSize = 40;
    TrainObserver quiet;
    const auto runId = runTraining(request, quiet, {}).runId;
    {
        Database db = openProject(project, ProjectAccess::ReadOnly);
        const auto run = loadRunModel(db, runId, "run");
        EXPECT_EQ(run.architecture.preprocess.crop, 40);
        EXPECT_EQ(run.architecture.preprocess.resizeShorter, 40);
    }
    const auto folder = dir / "bundle";
    const auto report = exportRunBundle(project, runId, folder, {}, {});
    EXPECT_EQ(report.replay.topOneAgreements, report.replay.images);
    const auto bundle = loadBundle(folder);
    EXPECT_EQ(bundle.input.crop, 40);
    EXPECT_EQ(preprocessJson(bundle.input), preprocessJson(architectureSpec("tinynet", 40).preprocess));
    EXPECT_NE(testing::readFile(folder / "README.md").find("N x 1 x 40 x 40"), std::string::npos);
}

// The run's logits and labels on one split, computed here from its model, apart from evaluateRun.
std::pair<torch::Tensor, torch::Tensor> splitLogits(const std::filesystem::path& project, std::int64_t runId, Split split) {
    Database db = openProject(project, ProjectAccess::ReadOnly);
    const auto run = loadRunModel(db, runId, "run");
    ProjectStore store(db);
    const auto classIndex = classIndexByName(store, run.spec.classes);
    const auto data = loadPixels(store, store.labeledImagesInSplit(split), classIndex, run.architecture.preprocess);
    torch::NoGradGuard noGrad;
    run.model->eval();
    return {run.model->forward(normalisedPixels(data.images, run.architecture.preprocess)), data.labels};
}

TEST_F(TrainedShapesRun, BundleStatesItsCalibrationAndRecordsTheValidationTemperatureWhenAsked) {
    const auto [heldOutLogits, heldOutLabels] = splitLogits(project(), runId_, Split::Test);
    const auto [valLogits, valLabels] = splitLogits(project(), runId_, Split::Val);
    ASSERT_GT(valLabels.size(0), 0);
    const double temperature = fitTemperature(valLogits, valLabels);

    const auto plain = dir_ / "plain";
    exportRunBundle(project(), runId_, plain, {}, {});
    EXPECT_FALSE(std::filesystem::exists(plain / "calibration.json"));
    EXPECT_EQ(loadBundle(plain).temperature, 1);
    const auto metrics = nlohmann::json::parse(testing::readFile(plain / "metrics.json"))["calibration"];
    EXPECT_NEAR(metrics["heldOut"]["ece"].get<double>(), reliabilityOf(heldOutLogits, heldOutLabels).ece, 1e-6);
    EXPECT_EQ(metrics["heldOut"]["bins"].size(), 15u);
    EXPECT_NEAR(metrics["temperatureScaling"]["temperature"].get<double>(), temperature, 1e-4 * temperature);
    EXPECT_EQ(metrics["temperatureScaling"]["fittedOn"]["images"], valLabels.size(0));
    EXPECT_FALSE(metrics["temperatureApplied"].get<bool>());
    EXPECT_NE(testing::readFile(plain / "README.md").find("It is not applied; export with --calibrate"), std::string::npos);

    const auto calibrated = dir_ / "calibrated";
    const auto report = exportRunBundle(project(), runId_, calibrated, {}, {}, {.calibrate = true});
    ASSERT_TRUE(report.temperatureScaling.has_value());
    EXPECT_NEAR(loadBundle(calibrated).temperature, temperature, 1e-4 * temperature);
    EXPECT_LE(report.temperatureScaling->fittedNllAfter, report.temperatureScaling->fittedNllBefore);
    const auto card = testing::readFile(calibrated / "README.md");
    EXPECT_NE(card.find("## Confidence"), std::string::npos) << card;
    EXPECT_NE(card.find("It is applied: `calibration.json` holds T"), std::string::npos) << card;
    EXPECT_NE(card.find("torch.softmax(model(images) / temperature, 1)"), std::string::npos) << card;
}

TEST_F(TrainedShapesRun, CalibratingWithoutValidationImagesIsRefusedAndWritesNothing) {
    {
        Database db = openProject(project(), ProjectAccess::ReadWrite);
        db.exec("UPDATE splits SET split = 'train' WHERE split = 'val'");
    }
    const auto folder = dir_ / "bundle";
    try {
        exportRunBundle(project(), runId_, folder, {}, {}, {.calibrate = true});
        FAIL() << "calibrated without validation images";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("cannot calibrate: its classes have no validation images"), std::string::npos)
            << error.what();
    }
    EXPECT_FALSE(std::filesystem::exists(folder));
}

TEST(LoadedBundle, ANonPositiveTemperatureIsRefusedNamingTheFile) {
    testing::TempDir dir;
    testing::writeFile(dir / "preprocess.json", preprocessJson(architectureSpec("tinynet").preprocess));
    testing::writeFile(dir / "labels.json", R"(["a", "b"])");
    testing::writeFile(dir / "calibration.json", R"({"temperature": 0})");
    try {
        loadBundle(dir.path());
        FAIL() << "T = 0 divides by zero";
    } catch (const Error& error) {
        EXPECT_EQ(std::string(error.what()), (dir / "calibration.json").string() + ": the temperature must be positive");
    }
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
