#pragma once

#include "experiment/ExperimentComparison.h"

#include <filesystem>
#include <string>
#include <vector>

namespace graft {

// The reports of one comparison, each from the same numbers: JSON for programs (the misclassified
// images included, for the error browser), CSV for spreadsheets (a row per arm and budget) and
// Markdown for people (the table, McNemar's second opinion, labels saved and the curves). Scores
// are the experiment's metric (comparison.metric); each arm also gets its held-out ECE.
std::string comparisonJson(const ExperimentComparison& comparison);
std::string comparisonCsv(const ExperimentComparison& comparison);
std::string comparisonMarkdown(const ExperimentComparison& comparison);

// Table cells shared by the Markdown report and the console.
std::string budgetText(int budget);                             // "5", or "all" for 0
std::string scoreText(const ArmBudgetResult& result);           // "0.765 [0.701, 0.829]"
std::string calibrationText(const ArmBudgetResult& result);     // "0.082 [0.071, 0.093]", or empty
std::string deltaText(const ArmBudgetResult& result);           // "+0.088 [+0.012, +0.164]", or empty
std::string mcNemarText(const ArmBudgetResult& result);         // "p=0.0003 (412:102)", or empty
std::string labelsSavedText(const ExperimentComparison& comparison, const ArmBudgetResult& result);
// The verdict against the baseline ("transfer helps"; in a labelling simulation "beats random"),
// "learns other tasks" for an arm whose tasks are judged one by one instead, or empty for the
// baseline itself.
std::string verdictCellText(const ExperimentComparison& comparison, const ArmBudgetResult& result);

// Writes DIR/STEM.json, .csv and .md, each atomically; returns their paths.
std::vector<std::filesystem::path> writeComparisonReports(const ExperimentComparison& comparison,
                                                          const std::filesystem::path& directory, const std::string& stem);

} // namespace graft
