#include "project/ExperimentStore.h"

#include "project/ProjectFile.h"

#include "ErrorText.h"

#include <gtest/gtest.h>

namespace graft {
namespace {

TEST(ExperimentStore, ListsExperimentsOldestFirstAndNamesAMissingOne) {
    Database db = openInMemoryProject();
    ExperimentStore store(db);
    EXPECT_TRUE(store.experiments().empty());
    const auto first = store.create("leaves", R"({"name": "leaves"})");
    const auto second = store.create("bark", R"({"name": "bark"})");
    const auto all = store.experiments();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, first);
    EXPECT_EQ(all[0].name, "leaves");
    EXPECT_EQ(all[1].id, second);
    EXPECT_EQ(all[1].specJson, R"({"name": "bark"})");
    EXPECT_EQ(store.experiment(second).name, "bark");
    EXPECT_NE(testing::errorOf([&] { store.experiment(second + 1); }).find("no experiment with id 3"), std::string::npos);
}

} // namespace
} // namespace graft
