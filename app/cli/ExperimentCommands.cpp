#include "Commands.h"
#include "ExperimentConsole.h"
#include "Console.h"
#include "ConsoleTrainObserver.h"
#include "DistributedLaunch.h"
#include "InterruptSignal.h"

#include "common/Version.h"
#include "data/ImageDecoding.h"
#include "distributed/RemoteRank.h"
#include "distributed/TrialWorker.h"
#include "experiment/ComparisonReport.h"
#include "experiment/ExperimentComparison.h"
#include "experiment/ExperimentRunner.h"
#include "models/BuiltInWeights.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace graft::cli {
namespace {

// One line of trial progress with the ETA; failed trials, and those of lost ranks, are named on stderr.
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
    void onTrialRequeued(const std::string& trial, std::string_view reason) override {
        progress_.finish();
        std::fprintf(stderr, "%.*s; trial %s goes back to the queue\n", int(reason.size()), reason.data(), trial.c_str());
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

// A rank other than 0: trains the trials rank 0 sends until it has no more.
int serveTrialsInConsole(ProcessGroup& group, bool json) {
    ConsoleTrainObserver console(json);
    InterruptSignal interrupt;
    const int trained = serveTrials(group, console, interrupt.token());
    if (json)
        std::cout << nlohmann::json{{"rank", group.rank()}, {"trained", trained}} << "\n";
    else
        std::printf("%s: %d trial(s) trained; rank 0 has no more\n", group.describeRank().c_str(), trained);
    return 0;
}

// Creates the experiment from a spec file (or takes a stored one by id) and runs it.
int createAndRunExperiment(const std::filesystem::path& project, const std::string& specOrId, bool json, int parallel,
                           const std::vector<RemoteTraining*>& remotes) {
    // Held until the last trial ends, so no other process can take the project between trials.
    Database db = openProject(project);
    std::int64_t id = 0;
    if (std::filesystem::is_regular_file(specOrId)) {
        const auto bytes = readFileBytes(specOrId);
        auto spec = ExperimentSpec::fromJson({bytes.begin(), bytes.end()});
        // Stored absolute, so trials started later from another folder find the same weights; a
        // missing file is refused now rather than failing every trial of its arm.
        for (auto& arm : spec.arms) {
            if (arm.config.init == "scratch") continue;
            if (arm.config.init.starts_with(kBuiltInWeightsPrefix)) {
                builtInWeights(arm.config.init.substr(kBuiltInWeightsPrefix.size())); // throws for an unknown name
                continue;
            }
            arm.config.init = std::filesystem::absolute(arm.config.init).lexically_normal().string();
            if (!std::filesystem::is_regular_file(arm.config.init))
                throw Error(specOrId + ": arm '" + arm.name + "' starts from " + arm.config.init + ", which does not exist");
        }
        ProjectStore store(db);
        id = ExperimentStore(db).create(spec.name, spec.withProjectDefaults(store).toJson());
        if (!json) std::printf("Experiment %lld created from %s\n", (long long)id, specOrId.c_str());
    } else {
        id = parseId(specOrId, "experiment run");
    }
    return runExperimentInConsole(project, id, json, parallel, remotes);
}

} // namespace

int commandExperiment(Arguments& args) {
    const auto& positionals = args.positionals();
    if (positionals.size() != 3 || positionals[0] != "run")
        throw UsageError("expected: experiment run FILE.graft SPEC.json|ID [--parallel N] [--distributed]");
    const std::filesystem::path project = positionals[1];
    const bool json = args.flag("--json");
    const int parallel = args.integer("--parallel", 1);
    const auto distributed = distributedOptions(args);
    args.rejectUnused();

    std::unique_ptr<ProcessGroup> group;
    std::vector<std::unique_ptr<RemoteRank>> ranks;
    std::vector<RemoteTraining*> remotes;
    if (distributed.enabled) {
        group = joinJob(std::string("Graft ") + kGraftVersion + ", project " + project.filename().string() + ", experiment " +
                            std::filesystem::path(positionals[2]).filename().string(),
                        distributed);
        if (!group->leads()) return serveTrialsInConsole(*group, json);
        for (int rank = 1; rank < group->worldSize(); ++rank) {
            ranks.push_back(std::make_unique<RemoteRank>(*group, rank));
            remotes.push_back(ranks.back().get());
        }
    }
    try {
        const int code = createAndRunExperiment(project, positionals[2], json, parallel, remotes);
        if (group && !json)
            std::printf("%s: sent %.1f MB to the other ranks and received %.1f MB\n", group->describeRank().c_str(),
                        double(group->bytesSent()) / 1e6, double(group->bytesReceived()) / 1e6);
        return code;
    } catch (const std::exception&) {
        for (auto* remote : remotes) {
            try {
                remote->release(); // the others end instead of waiting for trials
            } catch (const std::exception&) {
            }
        }
        throw;
    }
}

int runExperimentInConsole(const std::filesystem::path& project, std::int64_t id, bool json, int parallel,
                           const std::vector<RemoteTraining*>& remotes) {
    ConsoleExperimentObserver console(json);
    InterruptSignal interrupt;
    const auto summary = runExperiment(project, id, console, interrupt.token(), parallel, remotes);
    console.finish();
    if (json) {
        std::cout << nlohmann::json{{"experiment", id},         {"trained", summary.trained}, {"resumed", summary.resumed},
                                    {"evaluated", summary.evaluated}, {"skipped", summary.skipped}, {"failed", summary.failed},
                                    {"cancelled", summary.cancelled}}
                  << "\n";
    } else {
        std::printf("Experiment %lld: %d trial(s) trained (%d resumed), %d evaluated again without training, %d already "
                    "done, %d failed%s\n",
                    (long long)id, summary.trained, summary.resumed, summary.evaluated, summary.skipped, summary.failed,
                    summary.cancelled ? "; stopped, run it again to continue" : "");
    }
    return summary.cancelled ? kExitCancelled : 0;
}

int commandCompare(Arguments& args) {
    if (args.positionals().size() != 2) throw UsageError("expected: compare FILE.graft EXPERIMENT_ID [--out DIR]");
    const std::filesystem::path project = args.positionals()[0];
    const auto id = parseId(args.positionals()[1], "compare");
    const bool json = args.flag("--json");
    const std::filesystem::path out = args.option("--out").value_or(std::filesystem::absolute(project).parent_path().string());
    args.rejectUnused();
    printComparison(project, id, out, json);
    return 0;
}

void printComparison(const std::filesystem::path& project, std::int64_t id, const std::filesystem::path& out, bool json) {
    const auto comparison = compareExperiment(project, id);
    const auto stem = project.stem().string() + "-experiment-" + std::to_string(id);
    const auto reports = writeComparisonReports(comparison, out, stem);
    if (json) {
        std::cout << comparisonJson(comparison);
        return;
    }
    const auto& baseline = comparison.spec.baseline;
    const std::string metric(metricLabel(comparison.metric));
    std::printf("Experiment %lld (%s): held-out %s, mean and 95 %% interval over seeds; deltas against %s\n\n",
                (long long)id, comparison.spec.name.c_str(), metric.c_str(), baseline.c_str());
    // k counts labels per class; a labelling simulation's n counts them in all.
    std::printf("%-21s %-5s %-24s %-26s %-18s %-20s %-34s %s\n", "arm", comparison.spec.simulation ? "n" : "k", metric.c_str(), "delta", "verdict", "McNemar",
                "labels saved", "ECE");
    for (const auto& result : comparison.results) {
        const std::string verdict = verdictCellText(comparison, result);
        std::printf("%-21s %-5s %-24s %-26s %-18s %-20s %-34s %s\n", result.arm.c_str(), budgetText(result.budget).c_str(),
                    scoreText(result).c_str(), deltaText(result).c_str(), verdict.c_str(), mcNemarText(result).c_str(),
                    labelsSavedText(comparison, result).c_str(), calibrationText(result).c_str());
    }
    if (!comparison.tasks.empty()) std::printf("\nTasks (each against the arm that learns it alone, paired by seed):\n");
    for (const auto& task : comparison.tasks) {
        if (task.alone.empty()) std::printf("  %-16s no arm learns it alone: nothing to pair with\n", task.task.c_str());
        for (const auto& result : task.shared) {
            if (!result.score) continue;
            std::printf("  %-16s %-21s k=%-5s %.3f [%.3f, %.3f]", task.task.c_str(), result.arm.c_str(),
                        budgetText(result.budget).c_str(), result.score->mean, result.score->low, result.score->high);
            if (const auto& paired = result.versusAlone)
                std::printf("  vs %s %+.3f [%+.3f, %+.3f]: %s", task.alone.c_str(), paired->delta.mean, paired->delta.low,
                            paired->delta.high, sharingVerdictText(paired->verdict, task.task).c_str());
            std::printf("\n");
        }
    }
    if (!comparison.judging.empty()) std::printf("\nModel selection (no target labels decide it):\n");
    for (const auto& judging : comparison.judging)
        std::printf("  %-32s %s; judged on %s\n", judging.arm.c_str(), judging.modelSelection.c_str(), judging.heldOut.c_str());
    const char* curvesHeading = "\nPower-law fits of the label-efficiency curves:\n";
    for (const auto& curve : comparison.curves)
        if (curve.fit) {
            // The power is -b, printed with its own sign: a curve whose error grows (b < 0) reads k^0.020.
            std::printf("%s  %-12s %s(k) = 1 - %.3f k^%.3f\n", curvesHeading, curve.arm.c_str(), metric.c_str(),
                        curve.fit->scale, -curve.fit->exponent);
            curvesHeading = "";
        }
    std::printf("\nReports: %s, %s, %s\n", reports[2].c_str(), reports[1].c_str(), reports[0].c_str());
}

} // namespace graft::cli
