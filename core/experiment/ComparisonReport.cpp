#include "experiment/ComparisonReport.h"

#include "common/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace graft {
namespace {

std::string formatted(const char* format, double a, double b = 0, double c = 0) {
    char text[96];
    std::snprintf(text, sizeof text, format, a, b, c);
    return text;
}

nlohmann::json summaryJson(const Summary& summary) {
    // A single value has no interval: null, not infinity, which JSON cannot carry.
    const auto bound = [](double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(); };
    return {{"mean", summary.mean}, {"sd", summary.standardDeviation}, {"low", bound(summary.low)},
            {"high", bound(summary.high)}, {"n", summary.count}};
}

int largestBudget(const ExperimentSpec& spec) { return *std::max_element(spec.budgets.begin(), spec.budgets.end()); }

// Of the label budgets; 0 ("all") counts as none.
int smallestBudget(const ExperimentSpec& spec) {
    int smallest = largestBudget(spec);
    for (const int budget : spec.budgets)
        if (budget > 0) smallest = std::min(smallest, budget);
    return smallest;
}

std::string csvField(const std::string& text) {
    if (text.find_first_of(",\"\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (const char c : text) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + '"';
}

std::string number(double value) { return std::isfinite(value) ? formatted("%.6g", value) : std::string(); }

} // namespace

std::string budgetText(int budget) { return budget == 0 ? "all" : std::to_string(budget); }

// What a budget counts: labels per class, or in a labelling simulation labels in all.
std::string budgetKey(const ExperimentSpec& spec) { return spec.simulation ? "labels" : "labels_per_class"; }

std::string scoreText(const ArmBudgetResult& result) {
    if (!result.score) return "no finished runs";
    const auto& score = *result.score;
    if (score.count < 2) return formatted("%.3f (1 seed)", score.mean);
    return formatted("%.3f [%.3f, %.3f]", score.mean, score.low, score.high);
}

std::string calibrationText(const ArmBudgetResult& result) {
    if (!result.calibrationError) return {};
    const auto& ece = *result.calibrationError;
    if (ece.count < 2) return formatted("%.3f (1 seed)", ece.mean);
    return formatted("%.3f [%.3f, %.3f]", ece.mean, ece.low, ece.high);
}

std::string deltaText(const ArmBudgetResult& result) {
    if (!result.versusBaseline) return {};
    const auto& delta = result.versusBaseline->delta;
    if (delta.count < 2) return formatted("%+.3f (1 pair)", delta.mean);
    return formatted("%+.3f [%+.3f, %+.3f]", delta.mean, delta.low, delta.high);
}

std::string mcNemarText(const ArmBudgetResult& result) {
    if (!result.mcNemarVersusBaseline) return {};
    const auto& test = *result.mcNemarVersusBaseline;
    return formatted("p=%.2g (%.0f:%.0f)", test.pValue, double(test.onlyFirstRight), double(test.onlySecondRight));
}

std::string labelsSavedText(const ExperimentComparison& comparison, const ArmBudgetResult& result) {
    const auto& baseline = comparison.spec.baseline;
    if (result.arm == baseline || result.learnsOtherTasks || result.budget == 0 || !result.score) return {};
    if (!result.baselineLabelsToMatch)
        return baseline + " never reaches it (" + (comparison.spec.simulation ? "n" : "k") + " <= " +
               std::to_string(largestBudget(comparison.spec)) + ")";
    const double needed = *result.baselineLabelsToMatch;
    if (needed > result.budget)
        return baseline + " needs " + formatted("%.1f", needed) + " (" + formatted("%+.1f", needed - result.budget) +
               (comparison.spec.simulation ? " labels)" : " per class)");
    // Reached at the smallest budget says only that it needs no more than that.
    const int smallest = smallestBudget(comparison.spec);
    return baseline + " needs " + (needed <= smallest ? "<= " + std::to_string(smallest) : formatted("%.1f", needed)) +
           " (none saved)";
}

std::string verdictCellText(const ExperimentComparison& comparison, const ArmBudgetResult& result) {
    if (result.learnsOtherTasks) return "learns other tasks";
    if (!result.versusBaseline) return {};
    const auto verdict = result.versusBaseline->verdict;
    if (!comparison.spec.simulation || verdict == Verdict::NoEvidence) return std::string(verdictText(verdict));
    // A strategy is not a transfer: say what it did against the baseline strategy.
    return (verdict == Verdict::TransferHelps ? "beats " : "worse than ") + comparison.spec.baseline;
}

std::string comparisonJson(const ExperimentComparison& comparison) {
    const auto& spec = comparison.spec;
    auto results = nlohmann::json::array();
    for (const auto& result : comparison.results) {
        nlohmann::json item = {{"arm", result.arm}, {spec.simulation ? "labels" : "labelsPerClass", budgetText(result.budget)},
                               {"scores", result.scores}};
        item["score"] = result.score ? summaryJson(*result.score) : nlohmann::json();
        item["calibrationError"] = result.calibrationError ? summaryJson(*result.calibrationError) : nlohmann::json();
        if (result.versusBaseline)
            item["versusBaseline"] = {{"delta", summaryJson(result.versusBaseline->delta)},
                                      {"verdict", verdictText(result.versusBaseline->verdict)}};
        if (const auto& test = result.mcNemarVersusBaseline)
            item["mcNemar"] = {{"onlyArmRight", test->onlyFirstRight}, {"onlyBaselineRight", test->onlySecondRight},
                               {"pValue", test->pValue}, {"exact", test->exact}};
        if (result.baselineLabelsToMatch) item["baselineLabelsToMatch"] = *result.baselineLabelsToMatch;
        auto misclassified = nlohmann::json::array();
        for (const auto& image : result.misclassified)
            misclassified.push_back({{"image", image.image}, {"actual", image.actual}, {"predicted", image.predicted}});
        item["misclassified"] = misclassified;
        results.push_back(item);
    }
    auto curves = nlohmann::json::array();
    for (const auto& curve : comparison.curves)
        if (curve.fit) curves.push_back({{"arm", curve.arm}, {"scale", curve.fit->scale}, {"exponent", curve.fit->exponent}});
    std::vector<std::string> budgets;
    for (const int budget : spec.budgets) budgets.push_back(budgetText(budget));
    auto judging = nlohmann::json::array();
    for (const auto& arm : comparison.judging)
        judging.push_back({{"arm", arm.arm}, {"modelSelection", arm.modelSelection}, {"heldOut", arm.heldOut}});
    auto tasks = nlohmann::json::array();
    for (const auto& task : comparison.tasks) {
        auto shared = nlohmann::json::array();
        for (const auto& result : task.shared) {
            nlohmann::json item = {{"arm", result.arm}, {"labelsPerClass", budgetText(result.budget)}, {"scores", result.scores}};
            item["score"] = result.score ? summaryJson(*result.score) : nlohmann::json();
            item["aloneScore"] = result.aloneScore ? summaryJson(*result.aloneScore) : nlohmann::json();
            if (result.versusAlone)
                item["versusAlone"] = {{"delta", summaryJson(result.versusAlone->delta)},
                                       {"verdict", sharingVerdictText(result.versusAlone->verdict, task.task)}};
            shared.push_back(item);
        }
        tasks.push_back({{"task", task.task}, {"alone", task.alone}, {"shared", shared}});
    }
    return nlohmann::json{{"experiment", comparison.experimentId}, {"name", spec.name},    {"baseline", spec.baseline},
                          {"metric", metricKey(comparison.metric)}, {"seeds", spec.seeds}, {"budgets", budgets},
                          {"results", results},                   {"curves", curves},     {"judging", judging},
                          {"tasks", tasks}}
               .dump(2) +
           "\n";
}

std::string comparisonCsv(const ExperimentComparison& comparison) {
    const std::string metric(metricKey(comparison.metric));
    std::string csv = "arm," + budgetKey(comparison.spec) + ",seeds," + metric + "_mean," + metric + "_sd," + metric + "_low," + metric +
                      "_high,delta_mean,delta_low,delta_high,verdict,mcnemar_only_arm_right,mcnemar_only_baseline_right,"
                      "mcnemar_p,baseline_labels_to_match,misclassified_images,ece_mean\n";
    for (const auto& result : comparison.results) {
        std::vector<std::string> row = {csvField(result.arm), budgetText(result.budget), std::to_string(result.scores.size())};
        for (const double value : result.score ? std::vector{result.score->mean, result.score->standardDeviation,
                                                             result.score->low, result.score->high}
                                               : std::vector<double>(4, NAN))
            row.push_back(number(value));
        if (const auto& paired = result.versusBaseline) {
            for (const double value : {paired->delta.mean, paired->delta.low, paired->delta.high}) row.push_back(number(value));
            row.emplace_back(verdictText(paired->verdict));
        } else {
            row.insert(row.end(), 4, "");
        }
        if (const auto& test = result.mcNemarVersusBaseline) {
            row.push_back(std::to_string(test->onlyFirstRight));
            row.push_back(std::to_string(test->onlySecondRight));
            row.push_back(number(test->pValue));
        } else {
            row.insert(row.end(), 3, "");
        }
        row.push_back(result.baselineLabelsToMatch ? number(*result.baselineLabelsToMatch) : "");
        row.push_back(std::to_string(result.misclassified.size()));
        row.push_back(result.calibrationError ? number(result.calibrationError->mean) : "");
        for (std::size_t i = 0; i < row.size(); ++i) csv.append(i ? "," : "").append(row[i]);
        csv += "\n";
    }
    return csv;
}

std::string comparisonMarkdown(const ExperimentComparison& comparison) {
    const auto& spec = comparison.spec;
    std::string md = "# Experiment " + std::to_string(comparison.experimentId) + ": " + spec.name + "\n\n";
    const std::string metric(metricLabel(comparison.metric));
    md += "Held-out " + metric + ", mean and 95 % interval over " + std::to_string(spec.seeds.size()) +
          " seeds. Deltas are paired by seed against **" + spec.baseline + "**: *" +
          (spec.simulation ? "beats " + spec.baseline : std::string("transfer helps")) + "* when the whole interval is above 0, *" +
          (spec.simulation ? "worse than " + spec.baseline : std::string("negative transfer")) + "* when it is below. "
          "McNemar's test pools the held-out predictions of the paired seeds (images only this arm got right : "
          "only " + spec.baseline + " got right). *Labels saved* is how many labels " +
          (spec.simulation ? "" : "per class ") + spec.baseline +
          " needs to match the arm, interpolated between its budgets. ECE is the held-out expected calibration "
          "error (15 bins), mean and interval over the seeds.\n\n";
    md += "| arm | " + std::string(spec.simulation ? "labels" : "k") + " | " + metric + " | delta vs " + spec.baseline + " | verdict | McNemar | labels saved | ECE |\n";
    md += "|---|---|---|---|---|---|---|---|\n";
    for (const auto& result : comparison.results) {
        const std::string verdict = verdictCellText(comparison, result);
        md += "| " + result.arm + " | " + budgetText(result.budget) + " | " + scoreText(result) + " | " + deltaText(result) +
              " | " + (verdict == "negative transfer" ? "**negative transfer**" : verdict) + " | " + mcNemarText(result) +
              " | " + labelsSavedText(comparison, result) + " | " + calibrationText(result) + " |\n";
    }
    if (!comparison.tasks.empty()) {
        md += "\n## Tasks\n\nEach task an arm learns with others, against the arm that learns it alone, paired by seed on "
              "the task's own held-out " + metric + ": *sharing helps* when the whole interval of the difference is above 0, "
              "*negative transfer* when it is below. In the table above, a multi-task arm's figure is its tasks' mean, and "
              "an arm that learns other tasks than " + spec.baseline + " is not set against it.\n\n";
        md += "| task | arm | k | " + metric + " | alone | delta vs alone | verdict |\n|---|---|---|---|---|---|---|\n";
        for (const auto& task : comparison.tasks) {
            if (task.alone.empty()) {
                md += "| " + task.task + " | | | | | | no arm learns it alone: nothing to pair with |\n";
                continue;
            }
            for (const auto& result : task.shared) {
                const auto interval = [](const Summary& summary) {
                    return formatted("%.3f", summary.mean) + " [" + formatted("%.3f", summary.low) + ", " +
                           formatted("%.3f", summary.high) + "]";
                };
                std::string delta, verdict;
                if (const auto& paired = result.versusAlone) {
                    delta = formatted("%+.3f", paired->delta.mean) + " [" + formatted("%+.3f", paired->delta.low) + ", " +
                            formatted("%+.3f", paired->delta.high) + "]";
                    verdict = sharingVerdictText(paired->verdict, task.task);
                    if (paired->verdict == Verdict::NegativeTransfer) verdict = "**" + verdict + "**";
                }
                md += "| " + task.task + " | " + result.arm + " | " + budgetText(result.budget) + " | " +
                      (result.score ? interval(*result.score) : "") + " | " +
                      (result.aloneScore ? interval(*result.aloneScore) + " (" + task.alone + ")" : "") + " | " + delta + " | " +
                      verdict + " |\n";
            }
        }
    }
    if (!comparison.judging.empty()) {
        md += "\n## Model selection\n\nWithout the target's labels, which weights to keep is itself a choice. Each arm kept:\n\n";
        for (const auto& judging : comparison.judging)
            md += "- " + judging.arm + ": " + judging.modelSelection + "; judged on " + judging.heldOut + "\n";
    }
    bool anyCurve = false;
    for (const auto& curve : comparison.curves) anyCurve = anyCurve || curve.fit.has_value();
    if (anyCurve) {
        md += "\n## Label efficiency\n\nPower-law fits of the held-out shortfall, " + metric + "(k) = 1 - a k^-b:\n\n";
        for (const auto& curve : comparison.curves)
            if (curve.fit)
                md += "- " + curve.arm + ": a = " + formatted("%.3f", curve.fit->scale) + ", b = " +
                      formatted("%.3f", curve.fit->exponent) + "\n";
    }
    md += "\n## Misclassified held-out images\n\n| arm | k | wrong in any seed | wrong in every seed |\n|---|---|---|---|\n";
    for (const auto& result : comparison.results) {
        const auto always = std::count_if(result.misclassified.begin(), result.misclassified.end(), [&](const auto& image) {
            return image.predicted.size() == result.scores.size();
        });
        md += "| " + result.arm + " | " + budgetText(result.budget) + " | " + std::to_string(result.misclassified.size()) +
              " | " + std::to_string(always) + " |\n";
    }
    return md;
}

std::vector<std::filesystem::path> writeComparisonReports(const ExperimentComparison& comparison,
                                                          const std::filesystem::path& directory, const std::string& stem) {
    const std::vector<std::filesystem::path> paths = {directory / (stem + ".json"), directory / (stem + ".csv"),
                                                      directory / (stem + ".md")};
    writeFileAtomically(paths[0], comparisonJson(comparison));
    writeFileAtomically(paths[1], comparisonCsv(comparison));
    writeFileAtomically(paths[2], comparisonMarkdown(comparison));
    return paths;
}

} // namespace graft
