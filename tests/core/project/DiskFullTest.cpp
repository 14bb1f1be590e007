#include "data/SyntheticShapes.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"
#include "train/TrainingSession.h"

#include "DiskFullVfs.h"
#include "ProjectConsistency.h"
#include "ShapesProject.h"
#include "TempDir.h"

#include <gtest/gtest.h>

namespace graft {
namespace {

using testing::consistencyProblems;
using testing::DiskFullVfs;
using testing::TempDir;

std::vector<std::string> labelsInFile(Database& db) {
    std::vector<std::string> labels;
    auto rows = db.prepare("SELECT image || ':' || class_id FROM labels ORDER BY image");
    while (rows.step()) labels.push_back(rows.columnText(0));
    return labels;
}

void expectDiskFullMessage(const std::exception& error, const std::filesystem::path& project) {
    const std::string message = error.what();
    EXPECT_NE(message.find(project.string()), std::string::npos) << message;
    EXPECT_NE(message.find("the disk is full"), std::string::npos) << message;
}

TEST(DiskFull, RelabellingOnAFullDiskIsRefusedByNameAndChangesNothing) {
    DiskFullVfs disk;
    TempDir dir;
    const auto path = dir / "p.graft";
    Database db = createProject(path);
    importSyntheticShapes(db, 5, 1);
    const auto before = labelsInFile(db);
    ProjectStore store(db);
    const auto circle = store.ensureClass("circle");

    disk.allowBytes(0);
    try {
        Transaction transaction(db);
        for (const auto& image : store.catalog()) store.setLabel(image.sha256, circle);
        transaction.commit();
        FAIL() << "a commit on a full disk succeeded";
    } catch (const DatabaseError& error) {
        expectDiskFullMessage(error, path);
    }
    EXPECT_GT(disk.refusedWrites(), 0);
    disk.unlimited();
    EXPECT_EQ(labelsInFile(db), before);
    Database reopened = openProject(path, ProjectAccess::ReadOnly);
    EXPECT_EQ(labelsInFile(reopened), before);
    EXPECT_EQ(consistencyProblems(reopened), std::vector<std::string>{});
}

TEST(DiskFull, AnImportThatFillsTheDiskStopsClearlyAndKeepsWhatWasThereBefore) {
    DiskFullVfs disk;
    TempDir dir;
    const auto path = dir / "p.graft";
    testing::createShapesProject(path, 5, 1);
    Database db = openProject(path);
    const auto images = ProjectStore(db).imageCount();
    disk.allowBytes(16 * 1024); // room for a few pages of the next import, not for all of it
    try {
        importSyntheticShapes(db, 200, 2);
        FAIL() << "600 images fitted in 16 KB";
    } catch (const DatabaseError& error) {
        expectDiskFullMessage(error, path);
    }
    disk.unlimited();
    Database reopened = openProject(path);
    EXPECT_EQ(ProjectStore(reopened).imageCount(), images);
    EXPECT_EQ(consistencyProblems(reopened), std::vector<std::string>{});
    importSyntheticShapes(reopened, 2, 3);
    EXPECT_EQ(ProjectStore(reopened).imageCount(), images + 6) << "the project takes imports again once there is room";
}

// Fills the disk once the first epoch's checkpoint is stored.
class FillDiskAfterFirstCheckpoint : public TrainObserver {
public:
    explicit FillDiskAfterFirstCheckpoint(DiskFullVfs& disk) : disk_(disk) {}
    void onCheckpoint(const CheckpointEvent& event) override {
        if (event.kind == CheckpointKind::Last && event.epoch == 1) disk_.allowBytes(0);
    }

private:
    DiskFullVfs& disk_;
};

TEST(DiskFull, TrainingStopsWithTheReasonAndKeepsTheLastGoodCheckpoint) {
    DiskFullVfs disk;
    TempDir dir;
    const auto path = dir / "p.graft";
    testing::createShapesProject(path, 10, 4);
    TrainingRequest request;
    request.project = path;
    request.config.epochs = 3;
    request.config.batchSize = 10;
    FillDiskAfterFirstCheckpoint observer(disk);
    try {
        runTraining(request, observer, {});
        FAIL() << "training went on with a full disk";
    } catch (const DatabaseError& error) {
        expectDiskFullMessage(error, path);
    }
    disk.unlimited();
    Database db = openProject(path);
    EXPECT_EQ(consistencyProblems(db), std::vector<std::string>{});
    RunStore runs(db);
    ASSERT_EQ(runs.runs().size(), 1u);
    const auto checkpoint = runs.checkpoint(runs.runs()[0].id, CheckpointKind::Last);
    ASSERT_TRUE(checkpoint.has_value());
    EXPECT_EQ(checkpoint->epoch, 1);
    EXPECT_FALSE(checkpoint->trainingState.empty()) << "resumable from the last good checkpoint";
    EXPECT_NE(runs.runs()[0].status, RunStatus::Finished);
}

} // namespace
} // namespace graft
