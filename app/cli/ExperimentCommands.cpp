#include "Commands.h"
#include "Console.h"
#include "InterruptSignal.h"

#include "data/ImageDecoding.h"
#include "experiment/ExperimentComparison.h"
#include "experiment/ExperimentRunner.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace graft::cli {
namespace {

// One line of trial progress with the ETA; failed trials are named on stderr.
class ConsoleExperimentObserver : public ExperimentObserver {
public:
    explicit ConsoleExperimentObserver(bool quiet) : quiet_(quiet) {}
    void onProgress(const ExperimentProgress& progress) override {
        std::string detail = progress.current;
        if (progress.etaSeconds >= 0) detail += ", about " + std::to_string(std::lround(progress.etaSeconds)) + " s left";
        progress_.update("trials", progress.runsDone, progress.runsTotal, detail);
    }
    void onTrialFailed(const std::string& trial, std::string_view error) override {
        if (quiet_) return;
        progress_.finish();
        std::fprintf(stderr, "Trial %s failed: %.*s\n", trial.c_str(), int(error.size()), error.data());
    }
    void finish() { progress_.finish(); }

private:
    bool quiet_;
    ConsoleProgress progress_;
};

std::int64_t parseId(const std::string& text, const char* what) {
    try {
        std::size_t end = 0;
        const auto id = std::stoll(text, &end);
        if (end == text.size() && id > 0) return id;
    } catch (const std::exception&) {
    }
    throw UsageError(std::string(what) + " expects an id, not '" + text + "'");
}

std::string budgetText(int budget) { return budget == 0 ? "all" : std::to_string(budget); }

nlohmann::json summaryJson(const std::optional<Summary>& summary) {
    if (!summary) return nullptr;
    return {{"mean", summary->mean}, {"sd", summary->standardDeviation}, {"low", summary->low}, {"high", summary->high},
            {"n", summary->count}};
}

} // namespace

int commandExperiment(Arguments& args) {
    const auto& positionals = args.positionals();
    if (positionals.size() != 3 || positionals[0] != "run")
        throw UsageError("expected: experiment run FILE.graft SPEC.json|ID");
    const std::filesystem::path project = positionals[1];
    const bool json = args.flag("--json");
    args.rejectUnused();

    std::int64_t id = 0;
    if (std::filesystem::is_regular_file(positionals[2])) {
        const auto bytes = readFileBytes(positionals[2]);
        const auto spec = ExperimentSpec::fromJson({bytes.begin(), bytes.end()});
        Database db = openProject(project);
        id = ExperimentStore(db).create(spec.name, spec.toJson());
        if (!json) std::printf("Experiment %lld created from %s\n", (long long)id, positionals[2].c_str());
    } else {
        id = parseId(positionals[2], "experiment run");
    }
    ConsoleExperimentObserver console(json);
    InterruptSignal interrupt;
    const auto summary = runExperiment(project, id, console, interrupt.token());
    console.finish();
    if (json) {
        std::cout << nlohmann::json{{"experiment", id},       {"trained", summary.trained}, {"resumed", summary.resumed},
                                    {"skipped", summary.skipped}, {"failed", summary.failed},   {"cancelled", summary.cancelled}}
                  << "\n";
    } else {
        std::printf("Experiment %lld: %d trial(s) trained (%d resumed), %d already done, %d failed%s\n", (long long)id,
                    summary.trained, summary.resumed, summary.skipped, summary.failed,
                    summary.cancelled ? "; stopped, run it again to continue" : "");
    }
    return summary.cancelled ? kExitCancelled : 0;
}

int commandCompare(Arguments& args) {
    if (args.positionals().size() != 2) throw UsageError("expected: compare FILE.graft EXPERIMENT_ID");
    const auto id = parseId(args.positionals()[1], "compare");
    const bool json = args.flag("--json");
    args.rejectUnused();
    const auto comparison = compareExperiment(args.positionals()[0], id);
    const auto& baseline = comparison.spec.baseline;
    if (json) {
        auto results = nlohmann::json::array();
        for (const auto& result : comparison.results) {
            nlohmann::json item = {{"arm", result.arm}, {"labelsPerClass", budgetText(result.budget)},
                                   {"accuracies", result.accuracies}, {"accuracy", summaryJson(result.accuracy)}};
            if (result.versusBaseline)
                item["versusBaseline"] = {{"delta", summaryJson(result.versusBaseline->delta)},
                                          {"verdict", verdictText(result.versusBaseline->verdict)}};
            if (result.baselineLabelsToMatch) item["baselineLabelsToMatch"] = *result.baselineLabelsToMatch;
            results.push_back(item);
        }
        std::cout << nlohmann::json{{"experiment", id}, {"baseline", baseline}, {"results", results}} << "\n";
        return 0;
    }
    std::printf("Experiment %lld (%s): held-out accuracy, mean and 95 %% interval over seeds; deltas against %s\n\n",
                (long long)id, comparison.spec.name.c_str(), baseline.c_str());
    std::printf("%-12s %-6s %-26s %-28s %s\n", "arm", "k", "accuracy", "delta", "verdict");
    for (const auto& result : comparison.results) {
        char accuracy[64] = "no finished runs", delta[64] = "", verdict[96] = "";
        if (result.accuracy)
            std::snprintf(accuracy, sizeof accuracy, "%.3f [%.3f, %.3f]", result.accuracy->mean, result.accuracy->low,
                          result.accuracy->high);
        if (result.versusBaseline) {
            const auto& d = result.versusBaseline->delta;
            std::snprintf(delta, sizeof delta, "%+.3f [%+.3f, %+.3f]", d.mean, d.low, d.high);
            std::snprintf(verdict, sizeof verdict, "%s", std::string(verdictText(result.versusBaseline->verdict)).c_str());
        }
        std::printf("%-12s %-6s %-26s %-28s %s\n", result.arm.c_str(), budgetText(result.budget).c_str(), accuracy, delta,
                    verdict);
    }
    return 0;
}

} // namespace graft::cli
