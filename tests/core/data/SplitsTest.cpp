#include "data/ProjectSplits.h"
#include "data/Splits.h"
#include "project/ProjectFile.h"

#include "Images.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace graft {
namespace {

std::vector<LabeledImage> makeImages(const std::map<std::int64_t, int>& countPerClass) {
    std::vector<LabeledImage> images;
    for (const auto& [classId, count] : countPerClass)
        for (int i = 0; i < count; ++i) {
            // Built with append: GCC 12 at -O3 warns falsely (-Wrestrict, bug 105329) on "c" + std::string.
            std::string name = "c";
            name.append(std::to_string(classId)).append("-").append(std::to_string(i * 7919 % 1000));
            images.push_back({name, classId});
        }
    return images;
}

std::map<std::string, Split> asMap(const std::vector<SplitAssignment>& assignments) {
    std::map<std::string, Split> map;
    for (const auto& assignment : assignments) map[assignment.sha256] = assignment.split;
    return map;
}

TEST(Splits, StratifiedSplitKeepsEachClassProportions) {
    const auto images = makeImages({{1, 100}, {2, 50}, {3, 10}});
    std::map<std::int64_t, std::map<Split, int>> counts;
    const auto classOf = [&](const std::string& sha) {
        return std::find_if(images.begin(), images.end(), [&](const LabeledImage& i) { return i.sha256 == sha; })->classId;
    };
    for (const auto& assignment : stratifiedSplit(images, {0.2, 0.1}, 0)) ++counts[classOf(assignment.sha256)][assignment.split];
    EXPECT_EQ(counts[1][Split::Val], 20);
    EXPECT_EQ(counts[1][Split::Test], 10);
    EXPECT_EQ(counts[1][Split::Train], 70);
    EXPECT_EQ(counts[2][Split::Val], 10);
    EXPECT_EQ(counts[2][Split::Test], 5);
    EXPECT_EQ(counts[3][Split::Val], 2);
    EXPECT_EQ(counts[3][Split::Test], 1);
}

TEST(Splits, StratifiedSplitIsDeterministicAndIndependentOfInputOrder) {
    auto images = makeImages({{1, 40}, {2, 40}});
    const auto first = asMap(stratifiedSplit(images, {}, 42));
    std::reverse(images.begin(), images.end());
    EXPECT_EQ(asMap(stratifiedSplit(images, {}, 42)), first);
}

TEST(Splits, DifferentSeedsGiveDifferentSplits) {
    const auto images = makeImages({{1, 40}, {2, 40}});
    EXPECT_NE(asMap(stratifiedSplit(images, {}, 1)), asMap(stratifiedSplit(images, {}, 2)));
}

TEST(Splits, AddingAClassLeavesOtherClassesSplitsUnchanged) {
    const auto before = asMap(stratifiedSplit(makeImages({{1, 30}}), {}, 5));
    auto after = asMap(stratifiedSplit(makeImages({{1, 30}, {2, 30}}), {}, 5));
    for (const auto& [sha, split] : before) EXPECT_EQ(after[sha], split) << sha;
}

TEST(Splits, EveryClassKeepsATrainingImage) {
    const auto assignments = stratifiedSplit(makeImages({{1, 1}, {2, 2}}), {0.45, 0.45}, 0);
    std::set<std::string> training;
    for (const auto& a : assignments)
        if (a.split == Split::Train) training.insert(a.sha256.substr(0, 2));
    EXPECT_EQ(training, (std::set<std::string>{"c1", "c2"}));
}

TEST(Splits, RatiosThatLeaveNoTrainingAreRejected) {
    EXPECT_THROW(stratifiedSplit(makeImages({{1, 10}}), {0.5, 0.5}, 0), Error);
}

// Label budgets stay paired: the 5 images per class are among the 10 of the same seed.
TEST(Splits, SampleEachClassIsNestedAcrossBudgets) {
    const auto images = makeImages({{1, 30}, {2, 30}});
    const auto small = sampleEachClass(images, 5, 3);
    const auto large = sampleEachClass(images, 10, 3);
    EXPECT_EQ(small.size(), 10u);
    EXPECT_EQ(large.size(), 20u);
    for (const auto& image : small)
        EXPECT_TRUE(std::any_of(large.begin(), large.end(), [&](const LabeledImage& l) { return l.sha256 == image.sha256; }));
    EXPECT_EQ(sampleEachClass(images, 100, 3).size(), 60u);
}

TEST(ProjectSplits, LaterImportsNeverMoveExistingAssignments) {
    Database db = openInMemoryProject();
    ProjectStore store(db);
    const auto classId = store.ensureClass("a");
    const auto addLabelled = [&](int seed) {
        const std::string png = testing::pngBytes(seed);
        const auto added = store.addImage({{png.begin(), png.end()}, 8, 8, 1, "x"});
        store.setLabel(added.sha256, classId);
    };
    for (int i = 0; i < 20; ++i) addLabelled(i);
    resplitAll(store, {{0.25, 0.25}, 9});
    const auto validation = store.labeledImagesInSplit(Split::Val);
    ASSERT_EQ(validation.size(), 5u);

    for (int i = 20; i < 40; ++i) addLabelled(i);
    splitImagesWithoutSplit(store);
    const auto after = store.labeledImagesInSplit(Split::Val);
    EXPECT_EQ(after.size(), 10u);
    for (const auto& image : validation)
        EXPECT_TRUE(std::any_of(after.begin(), after.end(), [&](const LabeledImage& i) { return i.sha256 == image.sha256; }));
    EXPECT_EQ(readSplitPolicy(store).seed, 9u);
}

// The key-press path splits only the images just labelled; it must assign exactly what the scan does.
TEST(ProjectSplits, SplittingTheImagesJustLabelledAssignsWhatAScanWould) {
    const auto splitsAfterLabelling = [](bool onlyTheNewOnes) {
        Database db = openInMemoryProject();
        ProjectStore store(db);
        const auto a = store.ensureClass("a"), b = store.ensureClass("b");
        std::vector<std::string> images;
        for (int i = 0; i < 40; ++i) {
            const std::string png = testing::pngBytes(i);
            images.push_back(store.addImage({{png.begin(), png.end()}, 8, 8, 1, "x"}).sha256);
        }
        for (int i = 0; i < 20; ++i) store.setLabel(images[std::size_t(i)], i % 2 ? a : b);
        resplitAll(store, {{0.2, 0.2}, 5});
        std::vector<std::string> labelled; // two classes, and one image already labelled (it keeps its split)
        for (int i = 19; i < 40; ++i) {
            store.setLabel(images[std::size_t(i)], i % 3 ? a : b);
            labelled.push_back(images[std::size_t(i)]);
        }
        labelled.push_back(images[25]); // named twice, split once
        if (onlyTheNewOnes) splitImagesWithoutSplit(store, labelled);
        else splitImagesWithoutSplit(store);
        EXPECT_TRUE(store.imagesToSplitWithoutSplit().empty());
        EXPECT_EQ(store.splitOf(images[30]).has_value(), true);
        return asMap(currentSplits(store));
    };
    const auto scanned = splitsAfterLabelling(false);
    EXPECT_EQ(scanned.size(), 40u);
    EXPECT_EQ(splitsAfterLabelling(true), scanned);
}

// Incremental splits are not what resplitAll with the old policy would give, so undo must put
// the saved assignments back rather than re-split.
TEST(ProjectSplits, RestoringSavedSplitsUndoesAResplitExactly) {
    Database db = openInMemoryProject();
    ProjectStore store(db);
    const auto classId = store.ensureClass("a");
    for (int i = 0; i < 30; ++i) {
        const std::string png = testing::pngBytes(i);
        const auto added = store.addImage({{png.begin(), png.end()}, 8, 8, 1, "x"});
        store.setLabel(added.sha256, classId);
        if (i % 10 == 9) splitImagesWithoutSplit(store); // as three imports would
    }
    const auto policy = readSplitPolicy(store);
    const auto before = currentSplits(store);
    ASSERT_EQ(before.size(), 30u);
    resplitAll(store, {{0.3, 0.2}, 4});
    EXPECT_NE(asMap(currentSplits(store)), asMap(before));
    EXPECT_EQ(store.labeledImagesInSplit(Split::Val).size(), 9u);

    restoreSplits(store, policy, before);
    EXPECT_EQ(asMap(currentSplits(store)), asMap(before));
    EXPECT_EQ(readSplitPolicy(store).seed, policy.seed);
    EXPECT_EQ(readSplitPolicy(store).ratios.val, policy.ratios.val);
}

} // namespace
} // namespace graft
