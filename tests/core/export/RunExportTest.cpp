#include "export/RunExport.h"

#include "common/Error.h"
#include "data/SyntheticShapes.h"
#include "project/ProjectFile.h"
#include "train/TrainingSession.h"

#include "TempDir.h"

#include <gtest/gtest.h>

namespace graft {
namespace {

class TrainedShapes : public ::testing::Test {
protected:
    void SetUp() override {
        {
            Database db = createProject(project());
            importSyntheticShapes(db, 20, 3);
        }
        TrainingRequest request;
        request.project = project();
        request.config.epochs = 1;
        request.config.batchSize = 16;
        TrainObserver quiet;
        runId_ = runTraining(request, quiet, {}).runId;
    }
    std::filesystem::path project() const { return dir_ / "shapes.graft"; }

    testing::TempDir dir_;
    std::int64_t runId_ = 0;
};

TEST_F(TrainedShapes, ExportIsKeptAfterReproducingTheRunOnEveryHeldOutImage) {
    std::int64_t lastDone = 0, total = 0;
    const auto replay = exportRunTorchScript(project(), runId_, dir_ / "model.pt", {}, [&](const Progress& progress) {
        lastDone = progress.done;
        total = progress.total;
    }, {});
    EXPECT_TRUE(std::filesystem::is_regular_file(dir_ / "model.pt"));
    EXPECT_EQ(replay.split, Split::Test);
    Database db = openProject(project(), ProjectAccess::ReadOnly);
    EXPECT_EQ(replay.images, std::int64_t(ProjectStore(db).labeledImagesInSplit(Split::Test).size()));
    EXPECT_GT(replay.images, 0);
    EXPECT_EQ(replay.topOneAgreements, replay.images);
    EXPECT_LE(replay.maxDifference, kExportTolerance);
    EXPECT_EQ(lastDone, replay.images);
    EXPECT_EQ(total, replay.images);
}

TEST_F(TrainedShapes, AStoppedExportLeavesNoFileAndSaysWhich) {
    std::stop_source stop;
    stop.request_stop();
    try {
        exportRunTorchScript(project(), runId_, dir_ / "model.pt", {}, {}, stop.get_token());
        FAIL() << "a stopped export must throw";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("model.pt"), std::string::npos) << error.what();
    }
    EXPECT_FALSE(std::filesystem::exists(dir_ / "model.pt"));
}

} // namespace
} // namespace graft
