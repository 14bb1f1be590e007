#include "project/TaskStore.h"

#include "common/Error.h"
#include "data/ProjectSplits.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"
#include "project/Schema.h"

#include "Images.h"
#include "TempDir.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace graft {
namespace {

std::string addImage(ProjectStore& store, int seed) {
    const std::string png = testing::pngBytes(seed);
    return store.addImage({{png.begin(), png.end()}, 8, 8, 1, std::to_string(seed) + ".png"}).sha256;
}

// Written with the schema-9 tables directly: the code of this build writes schema 10 and up.
TEST(TaskMigration, AProjectOfSchema9KeepsEveryLabelHistoryAndRunAsItsFirstTask) {
    testing::TempDir dir;
    const auto path = dir / "old.graft";
    std::vector<std::string> images;
    std::int64_t runId = 0;
    {
        Database db(path.string(), Database::Mode::Create);
        db.exec("PRAGMA application_id = " + std::to_string(kGraftApplicationId));
        migrateTo(db, 9);
        ProjectStore store(db);
        for (int seed = 0; seed < 5; ++seed) images.push_back(addImage(store, seed));
        db.exec("INSERT INTO classes(id, name) VALUES(4, 'blight'), (9, 'healthy')");
        for (int i = 0; i < 4; ++i)
            db.prepare("INSERT INTO labels(image, class_id) VALUES(?, ?)").bind(1, images[std::size_t(i)]).bind(2, i % 2 ? 9 : 4).run();
        db.prepare("UPDATE labels SET class_id = 9 WHERE image = ?").bind(1, images[0]).run(); // history: blight, healthy
        for (int i = 0; i < 4; ++i) store.setSplit(images[std::size_t(i)], i == 3 ? Split::Val : Split::Train);
        runId = RunStore(db).beginRun({"single", "tinynet", "scratch", 3, "{}", "0.1.0", "1.13.0", 0, 0});
        RunStore(db).endRun(runId, RunStatus::Finished);
    }

    Database db = openProject(path);
    EXPECT_EQ(db.queryInt("PRAGMA user_version"), latestSchemaVersion());
    EXPECT_EQ(db.queryInt("SELECT count(*) FROM pragma_foreign_key_check"), 0);
    const auto tasks = TaskStore(db).summaries();
    ASSERT_EQ(tasks.size(), 1u);
    EXPECT_EQ(tasks[0].id, kFirstTask);
    EXPECT_EQ(tasks[0].classes, 2);
    EXPECT_EQ(tasks[0].labeled, 4);
    ProjectStore store(db);
    EXPECT_EQ(store.classNames(), (std::map<std::int64_t, std::string>{{4, "blight"}, {9, "healthy"}})) << "class ids kept";
    const auto labeled = store.labeledImages();
    ASSERT_EQ(labeled.size(), 4u);
    for (const auto& image : labeled) {
        const auto index = std::find(images.begin(), images.end(), image.sha256) - images.begin();
        EXPECT_EQ(image.classId, index == 2 ? 4 : 9) << "image " << index;
    }
    EXPECT_EQ(store.unlabeledCount(), 1);
    const auto history = store.labelHistory(images[0]);
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(history[0].className, "blight");
    EXPECT_EQ(history[1].className, "healthy");
    EXPECT_EQ(store.classSummaries()[1].val, 1);
    EXPECT_EQ(RunStore(db).run(runId).status, RunStatus::Finished);
    // And the migrated tables take the new kind of label.
    const auto severity = TaskStore(db).ensure("severity");
    ProjectStore severe(db, severity);
    severe.setLabel(images[0], severe.ensureClass("mild"));
    EXPECT_EQ(store.labeledImages().size(), 4u);
    EXPECT_EQ(severe.labeledImages().size(), 1u);
}

TEST(TaskStore, AnImageHasOneLabelPerTaskAndTasksKeepTheirOwnClasses) {
    Database db = openInMemoryProject();
    ProjectStore disease(db);
    const auto image = addImage(disease, 1);
    const auto severityTask = TaskStore(db).ensure("severity");
    ProjectStore severity(db, severityTask);
    disease.setLabel(image, disease.ensureClass("blight"));
    severity.setLabel(image, severity.ensureClass("mild"));
    severity.setLabel(image, severity.ensureClass("severe"));
    EXPECT_NE(disease.ensureClass("none"), severity.ensureClass("none")) << "the same name in two tasks is two classes";

    ASSERT_EQ(disease.labeledImages().size(), 1u);
    EXPECT_EQ(disease.classNames().at(disease.labeledImages()[0].classId), "blight");
    ASSERT_EQ(severity.labeledImages().size(), 1u);
    EXPECT_EQ(severity.classNames().at(severity.labeledImages()[0].classId), "severe");
    EXPECT_EQ(severity.classSummaries().size(), 3u);
    EXPECT_EQ(severity.labelHistory(image).size(), 2u);
    EXPECT_EQ(disease.labelHistory(image).size(), 1u);

    try {
        disease.setLabel(image, severity.ensureClass("mild"));
        FAIL() << "a class of another task was taken";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("not a class of task 1"), std::string::npos) << error.what();
    }
    severity.clearLabel(image);
    EXPECT_TRUE(severity.labeledImages().empty());
    EXPECT_EQ(disease.labeledImages().size(), 1u) << "clearing one task's label leaves the other's";
}

TEST(TaskStore, RemovingATaskTakesItsClassesAndLabelsButTheFirstTaskStays) {
    Database db = openInMemoryProject();
    ProjectStore first(db);
    const auto image = addImage(first, 1);
    TaskStore tasks(db);
    const auto quality = tasks.ensure("quality");
    ProjectStore store(db, quality);
    store.setLabel(image, store.ensureClass("blurred"));
    EXPECT_EQ(tasks.ensure("quality"), quality);
    EXPECT_THROW(tasks.rename(quality, "class"), Error) << "the first task's name is taken";
    tasks.rename(quality, "image quality");
    EXPECT_EQ(tasks.require("image quality"), quality);
    try {
        tasks.require("finding");
        FAIL();
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("no task 'finding' (tasks: class, image quality)"), std::string::npos)
            << error.what();
    }
    tasks.remove(quality);
    EXPECT_EQ(db.queryInt("SELECT count(*) FROM labels"), 0);
    EXPECT_EQ(db.queryInt("SELECT count(*) FROM classes"), 0);
    EXPECT_EQ(tasks.summaries().size(), 1u);
    EXPECT_THROW(tasks.remove(kFirstTask), Error);
    EXPECT_EQ(tasks.summaries().size(), 1u);
}

TEST(TaskSplits, ImagesLabelledOnlyInASecondTaskAreSplitAndTheFirstTasksStrataStay) {
    Database db = openInMemoryProject();
    ProjectStore first(db);
    const auto severityTask = TaskStore(db).ensure("severity");
    ProjectStore severity(db, severityTask);
    std::vector<std::string> images;
    for (int seed = 0; seed < 40; ++seed) images.push_back(addImage(first, seed));
    for (int i = 0; i < 20; ++i) first.setLabel(images[std::size_t(i)], first.ensureClass(i % 2 ? "a" : "b"));
    for (int i = 10; i < 40; ++i) severity.setLabel(images[std::size_t(i)], severity.ensureClass(i % 3 ? "mild" : "severe"));
    const auto firstOnly = stratifiedSplit(first.labeledImages(), readSplitPolicy(first).ratios, readSplitPolicy(first).seed);

    splitImagesWithoutSplit(first);
    for (const auto& image : images) EXPECT_TRUE(first.splitOf(image)) << "every image labelled in some task has a split";
    for (const auto& assignment : firstOnly)
        EXPECT_EQ(first.splitOf(assignment.sha256), assignment.split) << "the first task's images split as without the second";

    auto policy = readSplitPolicy(first);
    policy.task = severityTask;
    resplitAll(first, policy);
    EXPECT_EQ(readSplitPolicy(first).task, severityTask);
    for (const auto& assignment : stratifiedSplit(severity.imagesToSplit(), policy.ratios, policy.seed))
        EXPECT_EQ(first.splitOf(assignment.sha256), assignment.split);
    std::map<std::pair<std::int64_t, Split>, int> counts;
    for (const auto& image : severity.labeledImages()) ++counts[{image.classId, *first.splitOf(image.sha256)}];
    const std::pair severeInValidation{severity.ensureClass("severe"), Split::Val};
    EXPECT_EQ(counts[severeInValidation], 1) << "10 severe images, 10 % validation";
}

} // namespace
} // namespace graft
