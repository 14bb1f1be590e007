#include "common/Error.h"
#include "experiment/ExperimentMetric.h"
#include "experiment/ExperimentSpec.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"

#include "ErrorText.h"
#include "ShapesProject.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace graft {
namespace {

constexpr char kTwoArms[] = R"({"name": "e", "arms": [{"name": "transfer"}, {"name": "scratch"}]})";

TEST(ExperimentMetric, ASpecNamesItsMetricAndAnUnknownOneListsTheKnown) {
    auto json = nlohmann::json::parse(kTwoArms);
    json["metric"] = "macro_f1";
    const auto spec = ExperimentSpec::fromJson(json.dump());
    EXPECT_EQ(spec.judgedBy(), ExperimentMetric::MacroF1);
    EXPECT_EQ(nlohmann::json::parse(spec.toJson())["metric"], "macro_f1");
    json["metric"] = "f2";
    EXPECT_EQ(testing::errorOf([&] { ExperimentSpec::fromJson(json.dump()); }),
              "experiment 'metric' is 'f2'; use one of accuracy, balanced_accuracy, macro_f1");
    // Stored before the choice existed: judged by accuracy, as it was then.
    EXPECT_EQ(ExperimentSpec::fromJson(kTwoArms).judgedBy(), ExperimentMetric::Accuracy);
    EXPECT_FALSE(nlohmann::json::parse(ExperimentSpec::fromJson(kTwoArms).toJson()).contains("metric"));
}

TEST(ExperimentMetric, TheDefaultIsBalancedAccuracyWhenTheLabelledClassesAreUneven) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 20);
    Database db = openProject(project);
    ProjectStore store(db);
    const auto spec = ExperimentSpec::fromJson(kTwoArms);
    EXPECT_EQ(spec.withProjectDefaults(store).metric, ExperimentMetric::Accuracy) << "20 of each shape";
    // Unlabel most circles: 16 squares and triangles train against 4 circles.
    const auto circles = store.classSummaries().front().id;
    int dropped = 0;
    for (const auto& image : store.labeledImagesInSplit(Split::Train))
        if (image.classId == circles && dropped < 12) {
            store.clearLabel(image.sha256);
            ++dropped;
        }
    ASSERT_EQ(dropped, 12);
    EXPECT_EQ(spec.withProjectDefaults(store).metric, ExperimentMetric::BalancedAccuracy);
    auto chosen = spec;
    chosen.metric = ExperimentMetric::MacroF1;
    EXPECT_EQ(chosen.withProjectDefaults(store).metric, ExperimentMetric::MacroF1) << "a chosen metric stays";
}

} // namespace
} // namespace graft
