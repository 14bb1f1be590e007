#include "project/ProjectFile.h"
#include "train/ProjectFeatureStore.h"

#include "TempDir.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace graft {
namespace {

// Row i of a set is 2 x 3 values i * 10 + 0..5.
torch::Tensor rowsOf(std::int64_t begin, std::int64_t end) {
    return (torch::arange(begin, end, torch::kFloat32).view({-1, 1, 1}) * 10 + torch::arange(6).view({1, 2, 3}));
}

TEST(ProjectFeatureStore, ReadsBackTheRowsItStoredInAnyOrder) {
    testing::TempDir dir;
    createProject(dir / "p.graft");
    ProjectFeatureStore store(dir / "p.graft");
    EXPECT_FALSE(store.has("k"));
    ASSERT_TRUE(store.write("k", 10, 4, rowsOf, {}));
    EXPECT_TRUE(store.has("k"));
    EXPECT_FALSE(store.has("other"));
    const auto indices = torch::tensor({7, 2, 2, 9}, torch::kLong);
    EXPECT_TRUE(torch::equal(store.rows("k", indices), rowsOf(0, 10).index_select(0, indices)));
    // Another connection (a later run) finds them too.
    EXPECT_TRUE(ProjectFeatureStore(dir / "p.graft").has("k"));
}

TEST(ProjectFeatureStore, AStoppedWriteLeavesNoUsableSetAndIsReplacedLater) {
    testing::TempDir dir;
    createProject(dir / "p.graft");
    ProjectFeatureStore store(dir / "p.graft");
    std::stop_source stop;
    const auto stopAfterOneBatch = [&](std::int64_t begin, std::int64_t end) {
        stop.request_stop();
        return rowsOf(begin, end);
    };
    EXPECT_FALSE(store.write("k", 10, 4, stopAfterOneBatch, stop.get_token()));
    EXPECT_FALSE(store.has("k"));
    EXPECT_THROW(store.rows("k", torch::tensor({0}, torch::kLong)), Error);
    ASSERT_TRUE(store.write("k", 10, 4, rowsOf, {}));
    EXPECT_TRUE(torch::equal(store.rows("k", torch::arange(10, torch::kLong)), rowsOf(0, 10)));
}

TEST(ProjectFeatureStore, KeepsOnlyTheMostRecentlyUsedSets) {
    testing::TempDir dir;
    createProject(dir / "p.graft");
    ProjectFeatureStore store(dir / "p.graft");
    for (int set = 0; set <= ProjectFeatureStore::kKeptSets; ++set)
        ASSERT_TRUE(store.write("set" + std::to_string(set), 3, 2, rowsOf, {}));
    EXPECT_EQ(store.storedSets(), ProjectFeatureStore::kKeptSets);
    EXPECT_FALSE(store.has("set0"));
    EXPECT_TRUE(store.has("set" + std::to_string(ProjectFeatureStore::kKeptSets)));
}

} // namespace
} // namespace graft
