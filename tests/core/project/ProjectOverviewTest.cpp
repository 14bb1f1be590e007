#include "project/ProjectOverview.h"

#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"

#include "Images.h"

#include <gtest/gtest.h>

namespace graft {
namespace {

TEST(ProjectOverview, CountsImagesLabelsClassesAndFinishedRunsAndKeepsTheFirstImage) {
    Database db = openInMemoryProject();
    EXPECT_TRUE(overviewOf(db).firstImage.empty());
    EXPECT_EQ(overviewOf(db).images, 0);
    ProjectStore store(db);
    std::vector<std::string> images;
    for (int seed = 0; seed < 4; ++seed) {
        const std::string png = testing::pngBytes(seed);
        images.push_back(store.addImage({{png.begin(), png.end()}, 8, 8, 1, std::to_string(seed) + ".png"}).sha256);
    }
    const auto leaf = store.ensureClass("leaf"), bark = store.ensureClass("bark");
    store.ensureClass("moss"); // no image yet
    store.setLabel(images[0], leaf);
    store.setLabel(images[1], bark);
    store.setLabel(images[2], bark);
    store.setSplit(images[0], Split::Train);
    store.setSplit(images[1], Split::Test);
    store.setSplit(images[2], Split::Train);
    RunStore runs(db);
    const auto first = runs.beginRun({"single", "tinynet", "scratch", 0, "{}", "1", "1", 0, 0});
    runs.endRun(first, RunStatus::Finished);
    runs.beginRun({"single", "tinynet", "scratch", 1, "{}", "1", "1", 0, 0}); // still running

    const auto overview = overviewOf(db);
    EXPECT_EQ(overview.images, 4);
    EXPECT_EQ(overview.unlabelled, 1);
    EXPECT_EQ(overview.classes, 2) << "moss has no image";
    EXPECT_EQ(overview.trainingClasses, 2);
    EXPECT_EQ(overview.finishedRuns, 1);
    EXPECT_EQ(overview.newestFinishedRun, first);
    const std::string png = testing::pngBytes(0);
    EXPECT_EQ(overview.firstImage, std::vector<std::uint8_t>(png.begin(), png.end())) << "the first imported";
}

} // namespace
} // namespace graft
