#include "experiment/DemoProject.h"

#include "data/UnlabelledPool.h"
#include "experiment/ExperimentRunner.h"
#include "experiment/ExperimentSpec.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"

#include "DigitsSheet.h"
#include "ErrorText.h"
#include "TempDir.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace graft {
namespace {

using testing::errorOf;
using testing::TempDir;

std::vector<std::string> filesIn(const std::filesystem::path& folder) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) names.push_back(entry.path().filename().string());
    return names;
}

TEST(DemoProject, HoldsTenLabelledDigitsPerClassHalfTheRestUnlabelledHalfHeldOutAndBothExperimentsUnrun) {
    TempDir dir;
    testing::writeDigitsSheet(dir / "sheet" / "digits.png");
    const auto demo = createDemoProject(dir / "demo.graft", dir / "sheet" / "digits.png");
    EXPECT_EQ(demo.labelled, 100);
    EXPECT_EQ(demo.unlabelled, 2450);
    EXPECT_EQ(demo.heldOut, 2450);
    EXPECT_EQ(filesIn(dir.path()).size(), 2u) << "the project and the sheet's folder, nothing half-built";

    Database db = openProject(dir / "demo.graft", ProjectAccess::ReadOnly);
    ProjectStore store(db);
    const auto classes = store.classSummaries();
    ASSERT_EQ(classes.size(), 10u);
    for (const auto& digit : classes) {
        EXPECT_EQ(digit.train, 10) << digit.name;
        EXPECT_EQ(digit.val, 0) << digit.name;
        EXPECT_EQ(digit.test, 245) << digit.name;
    }
    EXPECT_EQ(std::int64_t(unlabelledPool(store, HiddenLabels::None, 0, 0).size()), demo.unlabelled);
    const auto spec = ExperimentSpec::fromJson(ExperimentStore(db).experiment(demo.experimentId).specJson);
    ASSERT_EQ(spec.arms.size(), 3u);
    EXPECT_EQ(spec.arms[0].config.init, "builtin:tinynet-fmnist");
    EXPECT_EQ(spec.arms[1].config.init, "scratch");
    EXPECT_EQ(spec.arms[2].config.freeze, "probe");
    EXPECT_EQ(spec.baseline, "scratch");
    EXPECT_EQ(spec.seeds.size(), 10u);
    EXPECT_EQ(spec.budgets, (std::vector<int>{5, 10}));
    const auto state = experimentState(db, demo.experimentId);
    EXPECT_EQ(state.trials, 60);
    EXPECT_EQ(state.left(), 60);

    const auto unlabelled = ExperimentSpec::fromJson(ExperimentStore(db).experiment(demo.unlabelledExperimentId).specJson);
    ASSERT_EQ(unlabelled.arms.size(), 4u);
    EXPECT_EQ(unlabelled.baseline, "fine-tune");
    EXPECT_EQ(unlabelled.budgets, spec.budgets);
    for (const std::size_t semi : {1u, 3u}) {
        EXPECT_EQ(unlabelled.arms[semi].config.semiSupervised, "fixmatch") << unlabelled.arms[semi].name;
        EXPECT_EQ(unlabelled.arms[semi].config.unlabelledPool, "beyond-budget");
        const TrainConfig defaults;
        auto supervised = unlabelled.arms[semi].config;
        supervised.semiSupervised = defaults.semiSupervised;
        supervised.unlabelledRatio = defaults.unlabelledRatio;
        supervised.unlabelledPool = defaults.unlabelledPool;
        EXPECT_EQ(supervised.toJson(), unlabelled.arms[semi - 1].config.toJson()) << "FixMatch is the only difference";
    }
    EXPECT_EQ(experimentState(db, demo.unlabelledExperimentId).left(), 40);
}

TEST(DemoProject, MissingDigitsNameTheDebianPackageAndLeaveNothingBehind) {
    TempDir dir;
    const std::string error = errorOf([&] { createDemoProject(dir / "demo.graft", dir / "missing" / "digits.png"); });
    EXPECT_NE(error.find("sudo apt install opencv-doc"), std::string::npos) << error;
    EXPECT_TRUE(filesIn(dir.path()).empty());
}

TEST(DemoProject, StoppedCreationLeavesNothingBehind) {
    TempDir dir;
    testing::writeDigitsSheet(dir / "sheet" / "digits.png");
    std::stop_source stop;
    stop.request_stop();
    ImportOptions options;
    options.stop = stop.get_token();
    EXPECT_NE(errorOf([&] { createDemoProject(dir / "demo.graft", dir / "sheet" / "digits.png", options); }).find("cancelled"),
              std::string::npos);
    EXPECT_EQ(filesIn(dir.path()), std::vector<std::string>{"sheet"});
}

TEST(DemoProject, RefusesToReplaceAnExistingFile) {
    TempDir dir;
    testing::writeFile(dir / "demo.graft", "mine");
    testing::writeDigitsSheet(dir / "sheet" / "digits.png");
    const std::string error = errorOf([&] { createDemoProject(dir / "demo.graft", dir / "sheet" / "digits.png"); });
    EXPECT_NE(error.find("demo.graft: already exists"), std::string::npos) << error;
    EXPECT_EQ(testing::readFile(dir / "demo.graft"), "mine");
}

TEST(DemoProject, DefaultPlaceFollowsXdgDataHome) {
    const char* before = std::getenv("XDG_DATA_HOME");
    const std::string saved = before ? before : "";
    setenv("XDG_DATA_HOME", "/somewhere/data", 1);
    EXPECT_EQ(defaultDemoProjectPath(), "/somewhere/data/graft/demo.graft");
    unsetenv("XDG_DATA_HOME");
    setenv("HOME", getenv("HOME") ? getenv("HOME") : "/home/someone", 1);
    EXPECT_EQ(defaultDemoProjectPath(), std::filesystem::path(getenv("HOME")) / ".local/share/graft/demo.graft");
    if (before) setenv("XDG_DATA_HOME", saved.c_str(), 1);
}

} // namespace
} // namespace graft
