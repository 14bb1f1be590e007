#include "project/LabellingPickStore.h"

#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"

#include "Images.h"

#include <gtest/gtest.h>

namespace graft {
namespace {

TEST(LabellingPickStore, KeepsEachRoundsPicksInOrderApartFromOtherRoundsStrategiesAndSeeds) {
    Database db = openInMemoryProject();
    ProjectStore store(db);
    std::vector<std::string> images;
    for (int seed = 0; seed < 4; ++seed) {
        const std::string png = testing::pngBytes(seed);
        images.push_back(store.addImage({{png.begin(), png.end()}, 8, 8, 1, std::to_string(seed) + ".png"}).sha256);
    }
    const auto experiment = ExperimentStore(db).create("picks", "{}");
    LabellingPickStore picks(db);
    EXPECT_FALSE(picks.picked(experiment, "typical", 0, 1));
    picks.record(experiment, "typical", 0, 1, {images[2], images[0]});
    picks.record(experiment, "typical", 0, 2, {images[3]});
    picks.record(experiment, "random", 0, 1, {images[1]});
    picks.record(experiment, "typical", 1, 1, {images[0]});

    EXPECT_TRUE(picks.picked(experiment, "typical", 0, 1));
    EXPECT_EQ(picks.picks(experiment, "typical", 0, 1), (std::vector<std::string>{images[2], images[0]}));
    EXPECT_EQ(picks.picks(experiment, "typical", 0, 2), std::vector<std::string>{images[3]});
    EXPECT_EQ(picks.picks(experiment, "random", 0, 1), std::vector<std::string>{images[1]});
    EXPECT_EQ(picks.picks(experiment, "typical", 1, 1), std::vector<std::string>{images[0]});
    EXPECT_TRUE(picks.picks(experiment, "typical", 0, 3).empty());
    EXPECT_THROW(picks.record(experiment, "typical", 0, 2, {images[1]}), DatabaseError); // a round is picked once
    EXPECT_EQ(picks.picks(experiment, "typical", 0, 2), std::vector<std::string>{images[3]});
}

} // namespace
} // namespace graft
