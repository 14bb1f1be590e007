#include "export/RunExport.h"

#include "common/Error.h"
#include "project/ProjectFile.h"

#include "TempDir.h"
#include "TrainedShapesRun.h"
#include "TwoTaskShapes.h"

#include <gtest/gtest.h>
#include <torch/script.h>

namespace graft {
namespace {

using testing::TrainedShapesRun;

TEST_F(TrainedShapesRun, ExportIsKeptAfterReproducingTheRunOnEveryHeldOutImage) {
    std::int64_t lastDone = 0, total = 0;
    const auto replay = exportRun(project(), runId_, dir_ / "model.pt", {}, [&](const Progress& progress) {
        lastDone = progress.done;
        total = progress.total;
    }, {});
    EXPECT_TRUE(std::filesystem::is_regular_file(dir_ / "model.pt"));
    EXPECT_EQ(replay.split, Split::Test);
    Database db = openProject(project(), ProjectAccess::ReadOnly);
    EXPECT_EQ(replay.images, std::int64_t(ProjectStore(db).labeledImagesInSplit(Split::Test).size()));
    EXPECT_GT(replay.images, 0);
    EXPECT_EQ(replay.topOneAgreements, replay.images);
    EXPECT_LE(replay.maxDifference, 1e-5);
    EXPECT_EQ(lastDone, replay.images);
    EXPECT_EQ(total, replay.images);
}

// A multi-task run's files hold an output per task, each replayed against Graft's heads.
TEST(MultiTaskRunExport, TorchScriptAndOnnxFilesReplayEveryTasksOutputs) {
    testing::TempDir dir;
    const auto project = dir / "shapes.graft";
    testing::createTwoTaskShapesProject(project, 10);
    const auto run = testing::trainedTwoTaskRun(project);
    for (const auto& [format, file] : {std::pair{ExportFormat::TorchScript, "model.pt"}, std::pair{ExportFormat::Onnx, "model.onnx"}})
        for (const bool softmax : {false, true}) {
            SCOPED_TRACE(std::string(file) + (softmax ? ", probabilities" : ", logits"));
            std::filesystem::remove(dir / file);
            const auto replay = exportRun(project, run, dir / file, {.format = format, .softmax = softmax}, {}, {});
            EXPECT_GT(replay.images, 0);
            EXPECT_EQ(replay.topOneAgreements, replay.images);
            EXPECT_LE(replay.maxDifference, replay.tolerance);
        }
    auto module = torch::jit::load((dir / "model.pt").string());
    const auto outputs = module.forward({torch::zeros({2, 1, 28, 28})}).toGenericDict();
    ASSERT_EQ(outputs.size(), 2u);
    EXPECT_EQ(outputs.at("class").toTensor().size(1), 3);
    EXPECT_EQ(outputs.at("corners").toTensor().size(1), 2);
}

TEST_F(TrainedShapesRun, OnnxExportIsReplayedThroughOpenCvDnnAndKept) {
    const auto replay = exportRun(project(), runId_, dir_ / "model.onnx", {.format = ExportFormat::Onnx}, {}, {});
    EXPECT_TRUE(std::filesystem::is_regular_file(dir_ / "model.onnx"));
    EXPECT_GT(replay.images, 0);
    EXPECT_EQ(replay.topOneAgreements, replay.images);
    EXPECT_EQ(replay.tolerance, 1e-4);
    EXPECT_LE(replay.maxDifference, replay.tolerance);
}

TEST_F(TrainedShapesRun, ExportWithPreprocessingIsReplayedOnDecodedImagesAndTakesUint8) {
    const auto replay = exportRun(project(), runId_, dir_ / "model.pt", {.preprocess = true}, {}, {});
    EXPECT_GT(replay.images, 0);
    EXPECT_EQ(replay.topOneAgreements, replay.images);
    EXPECT_LE(replay.maxDifference, 1e-5);
    auto loaded = torch::jit::load((dir_ / "model.pt").string());
    EXPECT_EQ(loaded.forward({torch::full({40, 30, 1}, 128, torch::kUInt8)}).toTensor().size(0), 1);
}

TEST_F(TrainedShapesRun, OnnxCannotCarryPreprocessingAndNothingIsWritten) {
    try {
        exportRun(project(), runId_, dir_ / "model.onnx", {.format = ExportFormat::Onnx, .preprocess = true}, {}, {});
        FAIL() << "ONNX has no antialiased resize at opset 13";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("model.onnx: ONNX cannot carry Graft's preprocessing"), std::string::npos)
            << error.what();
    }
    EXPECT_FALSE(std::filesystem::exists(dir_ / "model.onnx"));
}

TEST_F(TrainedShapesRun, AStoppedExportLeavesNoFileAndSaysWhich) {
    std::stop_source stop;
    stop.request_stop();
    try {
        exportRun(project(), runId_, dir_ / "model.pt", {}, {}, stop.get_token());
        FAIL() << "a stopped export must throw";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("model.pt"), std::string::npos) << error.what();
    }
    EXPECT_FALSE(std::filesystem::exists(dir_ / "model.pt"));
}

} // namespace
} // namespace graft
