#include "experiment/ComparisonReport.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace graft {
namespace {

// transfer beats scratch at k=5; scratch needs 12.5 labels per class to match it. The probe has one seed.
ExperimentComparison sampleComparison() {
    ExperimentComparison comparison;
    comparison.experimentId = 3;
    comparison.spec.name = "digits, small";
    comparison.spec.seeds = {0, 1};
    comparison.spec.budgets = {5, 20};
    comparison.spec.arms = {{"transfer", {}}, {"scratch", {}}, {"probe, linear", {}}};
    ArmBudgetResult transfer{"transfer", 5, {0.8, 0.9}, Summary::of({0.8, 0.9}),
                             comparePaired({0.8, 0.9}, {0.6, 0.71}), mcNemar(30, 4), 12.5,
                             {{"aa", "3", {"8", "8"}}, {"bb", "1", {"7"}}}, Summary::of({0.05, 0.07}), false};
    ArmBudgetResult scratch{"scratch", 5, {0.6, 0.71}, Summary::of({0.6, 0.71}), {}, {}, {}, {}, {}, false};
    ArmBudgetResult probe{"probe, linear", 5, {0.3}, Summary::of({0.3}), comparePaired({0.3}, {0.6}), mcNemar(0, 40),
                          std::nullopt, {}, {}, false};
    comparison.results = {transfer, scratch, probe};
    comparison.curves = {{"transfer", PowerLawFit{0.5, 0.4}}, {"scratch", std::nullopt}, {"probe, linear", std::nullopt}};
    return comparison;
}

TEST(ComparisonReport, MarkdownStatesVerdictsMcNemarAndLabelsSaved) {
    const auto md = comparisonMarkdown(sampleComparison());
    EXPECT_NE(md.find("| transfer | 5 | 0.850 ["), std::string::npos) << md;
    EXPECT_NE(md.find("scratch needs 12.5 (+7.5 per class)"), std::string::npos) << md;
    EXPECT_NE(md.find("scratch never reaches it (k <= 20)"), std::string::npos) << md;
    EXPECT_NE(md.find("0.300 (1 seed)"), std::string::npos) << md;
    EXPECT_NE(md.find("(30:4)"), std::string::npos) << md;
    EXPECT_NE(md.find("- transfer: a = 0.500, b = 0.400"), std::string::npos) << md;
    EXPECT_NE(md.find("| transfer | 5 | 2 | 1 |"), std::string::npos) << "2 images wrong, 1 in both seeds\n" << md;
    EXPECT_NE(md.find("| accuracy | delta vs scratch |"), std::string::npos) << md;
    EXPECT_NE(md.find(" | 0.060 ["), std::string::npos) << "transfer's mean ECE\n" << md;
}

TEST(ComparisonReport, LabelsSavedSaysNoneWhenScratchMatchesTheArmWithFewerLabels) {
    auto comparison = sampleComparison();
    auto& probe = comparison.results[2];
    probe.budget = 20;
    probe.baselineLabelsToMatch = 5;
    EXPECT_EQ(labelsSavedText(comparison, probe), "scratch needs <= 5 (none saved)");
    probe.baselineLabelsToMatch = 12.5;
    EXPECT_EQ(labelsSavedText(comparison, probe), "scratch needs 12.5 (none saved)");
}

TEST(ComparisonReport, CsvQuotesNamesAndLeavesMissingCellsEmpty) {
    const auto csv = comparisonCsv(sampleComparison());
    EXPECT_NE(csv.find("\n\"probe, linear\",5,1,0.3,0,,,"), std::string::npos) << "a lone seed has no interval\n" << csv;
    EXPECT_NE(csv.find("\nscratch,5,2,0.655,"), std::string::npos) << csv;
    EXPECT_NE(csv.find(",transfer helps,30,4,"), std::string::npos) << csv;
}

TEST(ComparisonReport, JsonCarriesMisclassifiedImagesAndNullForAnUnboundedInterval) {
    const auto json = nlohmann::json::parse(comparisonJson(sampleComparison()));
    EXPECT_EQ(json["results"][0]["misclassified"][0]["predicted"], (std::vector<std::string>{"8", "8"}));
    EXPECT_EQ(json["results"][0]["mcNemar"]["onlyArmRight"], 30);
    EXPECT_TRUE(json["results"][2]["score"]["low"].is_null());
    EXPECT_EQ(json["results"][2]["versusBaseline"]["verdict"], "no evidence");
    EXPECT_EQ(json["budgets"], (std::vector<std::string>{"5", "20"}));
}

// A labelling simulation compares strategies, not transfer, and counts labels in all.
TEST(ComparisonReport, ASimulationsStrategiesBeatOrTrailTheBaselineByLabelsInAll) {
    auto comparison = sampleComparison();
    comparison.spec.simulation = LabellingSimulation{{"transfer", "scratch", "probe, linear"}, 0, 5, 4};
    const auto& transfer = comparison.results[0];
    EXPECT_EQ(verdictCellText(comparison, transfer), "beats scratch");
    EXPECT_EQ(verdictCellText(comparison, comparison.results[1]), "");
    auto worse = comparison.results[2];
    worse.versusBaseline = comparePaired({0.3, 0.31, 0.29}, {0.6, 0.62, 0.61});
    EXPECT_EQ(verdictCellText(comparison, worse), "worse than scratch");
    EXPECT_EQ(labelsSavedText(comparison, transfer), "scratch needs 12.5 (+7.5 labels)");
    const auto md = comparisonMarkdown(comparison);
    EXPECT_NE(md.find("| arm | labels | accuracy |"), std::string::npos) << md;
    EXPECT_NE(md.find("| beats scratch |"), std::string::npos) << md;
    EXPECT_NE(md.find("scratch never reaches it (n <= 20)"), std::string::npos) << md;
    EXPECT_EQ(comparisonCsv(comparison).rfind("arm,labels,seeds,", 0), 0u);
    EXPECT_EQ(nlohmann::json::parse(comparisonJson(comparison))["results"][0]["labels"], "5");
}

} // namespace
} // namespace graft
