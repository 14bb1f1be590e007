#include "data/UnlabelledPool.h"

#include "data/Splits.h"
#include "project/ProjectFile.h"

#include "Images.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace graft {
namespace {

// Two classes with 6 training, 2 validation and 2 test images each, and 3 images without a label.
class UnlabelledPoolTest : public ::testing::Test {
protected:
    void SetUp() override {
        ProjectStore store(db_);
        int seed = 0;
        const auto add = [&] {
            const std::string png = testing::pngBytes(seed++);
            return store.addImage({{png.begin(), png.end()}, 8, 8, 1, "image" + std::to_string(seed) + ".png"}).sha256;
        };
        for (const std::string name : {"a", "b"}) {
            const auto classId = store.ensureClass(name);
            for (int i = 0; i < 10; ++i) {
                const auto sha = add();
                store.setLabel(sha, classId);
                const Split split = i < 6 ? Split::Train : i < 8 ? Split::Val : Split::Test;
                store.setSplit(sha, split);
                (split == Split::Train ? training_ : judging_).insert(sha);
            }
        }
        for (int i = 0; i < 3; ++i) unlabelled_.push_back(add());
    }

    Database db_ = openInMemoryProject();
    std::set<std::string> training_, judging_;
    std::vector<std::string> unlabelled_;
};

TEST_F(UnlabelledPoolTest, HoldsTheImagesWithoutALabelInImportOrder) {
    ProjectStore store(db_);
    EXPECT_EQ(unlabelledPool(store, HiddenLabels::None, 2, 0), unlabelled_);
    EXPECT_EQ(unlabelledPool(store, HiddenLabels::BeyondBudget, 0, 0), unlabelled_) << "a budget of every label hides none";
    EXPECT_EQ(unlabelledPool(store, HiddenLabels::BeyondBudget, 6, 0), unlabelled_) << "a budget above the class sizes hides none";
}

TEST_F(UnlabelledPoolTest, ABudgetHidesTheTrainingLabelsItLeavesOutAndNeverAValidationOrTestImage) {
    ProjectStore store(db_);
    for (const std::uint64_t seed : {0u, 1u, 7u}) {
        const auto pool = unlabelledPool(store, HiddenLabels::BeyondBudget, 2, seed);
        ASSERT_EQ(pool.size(), 3u + 2 * (6 - 2)) << "seed " << seed;
        for (const auto& sha : pool) EXPECT_FALSE(judging_.contains(sha)) << "a held-out image entered the pool";
        EXPECT_TRUE(std::equal(unlabelled_.begin(), unlabelled_.end(), pool.end() - 3)) << "the unlabelled images, last as imported";
        // The trial trains on exactly the training images the pool leaves out.
        std::set<std::string> trained;
        for (const auto& image : sampleEachClass(store.labeledImagesInSplit(Split::Train), 2, seed)) trained.insert(image.sha256);
        for (const auto& sha : training_) EXPECT_NE(trained.contains(sha), std::count(pool.begin(), pool.end(), sha) == 1) << sha;
    }
}

} // namespace
} // namespace graft
