#include "experiment/DemoProject.h"

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

TEST(DemoProject, HoldsTenTrainingDigitsPerClassTheRestHeldOutAndItsExperimentUnrun) {
    TempDir dir;
    testing::writeDigitsSheet(dir / "sheet" / "digits.png");
    const auto demo = createDemoProject(dir / "demo.graft", dir / "sheet" / "digits.png");
    EXPECT_EQ(demo.labelled, 100);
    EXPECT_EQ(demo.heldOut, 4900);
    EXPECT_EQ(filesIn(dir.path()).size(), 2u) << "the project and the sheet's folder, nothing half-built";

    Database db = openProject(dir / "demo.graft", ProjectAccess::ReadOnly);
    const auto classes = ProjectStore(db).classSummaries();
    ASSERT_EQ(classes.size(), 10u);
    for (const auto& digit : classes) {
        EXPECT_EQ(digit.train, 10) << digit.name;
        EXPECT_EQ(digit.val, 0) << digit.name;
        EXPECT_EQ(digit.test, 490) << digit.name;
    }
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
