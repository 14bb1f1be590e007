#include "project/ProjectFile.h"
#include "project/ProjectStore.h"

#include "DiskFullVfs.h"
#include "ErrorText.h"
#include "Images.h"
#include "TempDir.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace graft {
namespace {

NewImage image(int seed, const std::string& source) {
    const std::string png = testing::pngBytes(seed);
    return {{png.begin(), png.end()}, 8, 8, 1, source};
}

TEST(ProjectStore, AddImageDetectsDuplicateContentAndNamesTheFirstSource) {
    Database db = openInMemoryProject();
    ProjectStore store(db);
    const auto first = store.addImage(image(7, "a/one.png"));
    const auto second = store.addImage(image(7, "b/copy.png"));
    EXPECT_TRUE(first.added);
    EXPECT_FALSE(second.added);
    EXPECT_EQ(second.sha256, first.sha256);
    EXPECT_EQ(second.existingSource, "a/one.png");
    EXPECT_EQ(store.imageCount(), 1);
    const std::string png = testing::pngBytes(7);
    EXPECT_EQ(store.imageBytes(first.sha256), std::vector<std::uint8_t>(png.begin(), png.end()));
}

TEST(ProjectStore, ClassSummariesCountImagesPerSplit) {
    Database db = openInMemoryProject();
    ProjectStore store(db);
    const auto cat = store.ensureClass("cat");
    const auto dog = store.ensureClass("dog");
    EXPECT_EQ(store.ensureClass("cat"), cat);
    const Split splits[] = {Split::Train, Split::Train, Split::Val, Split::Test};
    for (int i = 0; i < 4; ++i) {
        const auto added = store.addImage(image(i, "img" + std::to_string(i)));
        store.setLabel(added.sha256, i < 3 ? cat : dog);
        store.setSplit(added.sha256, splits[i]);
    }
    store.addImage(image(99, "unlabelled"));
    store.setLabel(store.addImage(image(98, "no split")).sha256, dog);
    const auto bird = store.ensureClass("bird");

    const auto summaries = store.classSummaries();
    ASSERT_EQ(summaries.size(), 3u);
    EXPECT_EQ(summaries[0].name, "cat");
    EXPECT_EQ(summaries[0].images, 3);
    EXPECT_EQ(summaries[0].train, 2);
    EXPECT_EQ(summaries[0].val, 1);
    EXPECT_EQ(summaries[1].images, 2) << "one without a split";
    EXPECT_EQ(summaries[1].test, 1);
    EXPECT_EQ(summaries[1].train + summaries[1].val, 0);
    EXPECT_EQ(summaries[2].name, "bird");
    EXPECT_EQ(summaries[2].images, 0) << "a class without images is listed";
    EXPECT_EQ(store.classNames(), (std::map<std::int64_t, std::string>{{cat, "cat"}, {dog, "dog"}, {bird, "bird"}}));
    EXPECT_EQ(store.unlabeledCount(), 1);
    EXPECT_EQ(store.labeledImagesInSplit(Split::Train).size(), 2u);
}

TEST(ProjectStore, RelabellingReplacesTheLabel) {
    Database db = openInMemoryProject();
    ProjectStore store(db);
    const auto added = store.addImage(image(1, "x"));
    store.setLabel(added.sha256, store.ensureClass("a"));
    store.setLabel(added.sha256, store.ensureClass("b"));
    const auto labeled = store.labeledImages();
    ASSERT_EQ(labeled.size(), 1u);
    EXPECT_EQ(labeled[0].classId, store.ensureClass("b"));
}

TEST(ProjectStore, LabelHistoryRecordsEveryChangeOldestFirstWhoeverWroteIt) {
    Database db = openInMemoryProject();
    ProjectStore store(db);
    const auto leaf = store.addImage(image(1, "leaf.png")).sha256;
    const auto other = store.addImage(image(2, "other.png")).sha256;
    const auto healthy = store.ensureClass("healthy"), blight = store.ensureClass("blight");
    store.setLabel(leaf, healthy);
    store.setLabel(leaf, healthy); // no change, no entry
    store.setLabel(leaf, blight);
    store.clearLabel(leaf);
    db.exec("INSERT INTO labels(image, class_id) VALUES('" + leaf + "', " + std::to_string(healthy) + ")"); // another writer
    store.setLabel(other, blight);
    store.deleteClass(healthy); // takes the leaf's label with it

    const auto history = store.labelHistory(leaf);
    ASSERT_EQ(history.size(), 5u);
    EXPECT_EQ(history[0].className, "healthy");
    EXPECT_EQ(history[1].className, "blight");
    EXPECT_EQ(history[2].className, std::nullopt);
    EXPECT_EQ(history[3].className, "healthy");
    EXPECT_EQ(history[4].className, std::nullopt);
    EXPECT_LE(history[0].changedAt, history[4].changedAt);
    EXPECT_EQ(history[0].changedAt.size(), std::string("2026-12-06T09:00:00.000Z").size());
    ASSERT_EQ(store.labelHistory(other).size(), 1u);
}

TEST(ProjectStore, CatalogListsEveryImageInImportOrderWithLabelAndSplit) {
    Database db = openInMemoryProject();
    ProjectStore store(db);
    const auto cat = store.ensureClass("cat");
    const auto third = store.addImage(image(3, "c.png")).sha256; // hashes do not sort in import order
    const auto first = store.addImage(image(1, "a.png")).sha256;
    const auto second = store.addImage(image(2, "b.png")).sha256;
    store.setLabel(first, cat);
    store.setSplit(first, Split::Val);
    store.setLabel(second, cat);
    store.clearLabel(second);

    const auto catalog = store.catalog();
    ASSERT_EQ(catalog.size(), 3u);
    EXPECT_EQ(catalog[0].sha256, third);
    EXPECT_EQ(catalog[0].source, "c.png");
    EXPECT_EQ(catalog[0].width, 8);
    EXPECT_FALSE(catalog[0].classId);
    EXPECT_EQ(catalog[1].classId, cat);
    EXPECT_EQ(catalog[1].split, Split::Val);
    EXPECT_FALSE(catalog[2].classId) << "the label was cleared";
    EXPECT_FALSE(catalog[2].split);
    EXPECT_EQ(store.unlabeledCount(), 2);
}

TEST(ProjectStore, CatalogReadsNoImageBytes) {
    testing::DiskFullVfs vfs; // counts what is read
    testing::TempDir dir;
    const auto path = dir / "large-images.graft";
    std::int64_t imageBytes = 0;
    {
        Database db = createProject(path);
        ProjectStore store(db);
        std::mt19937 random(7);
        for (int i = 0; i < 20; ++i) { // bytes that overflow the row's page, as photos do
            std::vector<std::uint8_t> bytes(64 * 1024);
            for (auto& byte : bytes) byte = std::uint8_t(random());
            imageBytes += std::int64_t(bytes.size());
            store.addImage({bytes, 640, 480, 3, "photo" + std::to_string(i) + ".jpg"});
        }
    }
    Database db = openProject(path, ProjectAccess::ReadOnly); // a fresh page cache
    const auto before = vfs.bytesRead();
    const auto catalog = ProjectStore(db).catalog();
    ASSERT_EQ(catalog.size(), 20u);
    EXPECT_EQ(catalog[19].source, "photo19.jpg");
    EXPECT_EQ(catalog[19].height, 480);
    EXPECT_LT(vfs.bytesRead() - before, imageBytes / 10) << "listing 20 images read their bytes";
}

TEST(ProjectStore, ClassesAreRenamedDeletedAndRestoredUnderTheirOldId) {
    Database db = openInMemoryProject();
    ProjectStore store(db);
    const auto cat = store.ensureClass("cat");
    const auto dog = store.ensureClass("dog");
    const auto first = store.addImage(image(1, "a.png")).sha256;
    const auto second = store.addImage(image(2, "b.png")).sha256;
    store.setLabel(first, cat);
    store.setLabel(second, cat);

    store.renameClass(cat, "kitten");
    EXPECT_EQ(store.classSummaries()[0].name, "kitten");
    EXPECT_NE(testing::errorOf([&] { store.renameClass(cat, "dog"); }).find("a class named 'dog' already exists"),
              std::string::npos);
    EXPECT_EQ(store.imagesOfClass(cat), (std::vector<std::string>{std::min(first, second), std::max(first, second)}));

    store.deleteClass(cat);
    EXPECT_EQ(store.unlabeledCount(), 2);
    EXPECT_EQ(store.classSummaries().size(), 1u);
    store.restoreClass(cat, "kitten");
    store.setLabel(first, cat);
    EXPECT_EQ(store.catalog()[0].classId, cat);
    EXPECT_EQ(store.ensureClass("kitten"), cat);
    EXPECT_EQ(store.ensureClass("dog"), dog);
}

TEST(ProjectStore, SettingsRoundTrip) {
    Database db = openInMemoryProject();
    ProjectStore store(db);
    EXPECT_FALSE(store.setting("split.seed"));
    store.setSetting("split.seed", "4");
    store.setSetting("split.seed", "5");
    EXPECT_EQ(store.setting("split.seed"), "5");
}

} // namespace
} // namespace graft
