#include "experiment/ExperimentRunner.h"

#include "experiment/ExperimentSpec.h"
#include "experiment/LabellingSimulator.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"
#include "project/TaskStore.h"
#include "train/ComputeSetup.h"
#include "train/RunEvaluation.h"
#include "train/RunSpec.h"
#include "train/TrainingSession.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <limits>
#include <set>
#include <exception>
#include <mutex>
#include <thread>

namespace graft {
namespace {

struct Trial {
    const ExperimentArm* arm;
    std::uint64_t seed;
    int budget;
};

// Budget by budget, seed by seed, arm by arm.
std::vector<Trial> plannedTrials(const ExperimentSpec& spec) {
    std::vector<Trial> trials;
    for (const int budget : spec.budgets)
        for (const auto seed : spec.seeds)
            for (const auto& arm : spec.arms) trials.push_back({&arm, seed, budget});
    return trials;
}

std::string describe(const ExperimentSpec& spec, const Trial& trial) {
    return trial.arm->name + ", seed " + std::to_string(trial.seed) + ", " + spec.budgetText(trial.budget);
}

std::vector<Metric> heldOutFigures(const RunEvaluationResult& evaluation, const std::string& suffix = {}) {
    return {{heldOutMetricName(ExperimentMetric::Accuracy) + suffix, evaluation.accuracy},
            {heldOutMetricName(ExperimentMetric::BalancedAccuracy) + suffix, evaluation.report.balancedAccuracy},
            {heldOutMetricName(ExperimentMetric::MacroF1) + suffix, evaluation.report.macroF1},
            {kHeldOutEce + suffix, evaluation.reliability.ece}};
}

// Each task's figures under "NAME/TASK", so arms that learn a task alone or with others compare on
// it (TaskComparison). A multi-task run's own figures are its tasks' mean, and it keeps no
// misclassified images: heldout_errors holds one label per image.
void recordHeldOutFigures(const std::filesystem::path& project, std::int64_t runId) {
    Database db = openProject(project);
    ProjectStore store(db);
    const auto split = heldOutSplit(store);
    const auto spec = RunSpec::fromJson(RunStore(db).run(runId).configJson);
    if (spec.tasks.empty()) {
        const auto evaluation = evaluateRun(project, runId, split);
        const auto named = nameList(spec.config.tasks);
        auto figures = heldOutFigures(evaluation);
        const auto own = heldOutFigures(evaluation, "/" + (named.empty() ? TaskStore(db).name(kFirstTask) : named.front()));
        figures.insert(figures.end(), own.begin(), own.end());
        RunStore(db).recordHeldOutResult(runId, figures, evaluation.misclassified);
        return;
    }
    std::vector<Metric> figures, mean;
    for (const auto& task : spec.tasks) {
        const auto taskFigures = heldOutFigures(evaluateRun(project, runId, split, {}, TemperatureFit::None, task.name), "/" + task.name);
        figures.insert(figures.end(), taskFigures.begin(), taskFigures.end());
        if (mean.empty()) mean = heldOutFigures(RunEvaluationResult{});
        for (std::size_t i = 0; i < mean.size(); ++i) mean[i].value += taskFigures[i].value / double(spec.tasks.size());
    }
    figures.insert(figures.end(), mean.begin(), mean.end());
    RunStore(db).recordHeldOutResult(runId, figures, {});
}

// Trials running side by side report through one observer, one event at a time.
class SerializedObserver : public ExperimentObserver {
public:
    explicit SerializedObserver(ExperimentObserver& target) : target_(target) {}
    void onStep(const StepEvent& event) override { locked([&] { target_.onStep(event); }); }
    void onEpoch(const EpochEvent& event) override { locked([&] { target_.onEpoch(event); }); }
    void onCheckpoint(const CheckpointEvent& event) override { locked([&] { target_.onCheckpoint(event); }); }
    void onLog(std::string_view message) override { locked([&] { target_.onLog(message); }); }
    void onProgress(const ExperimentProgress& progress) override { locked([&] { target_.onProgress(progress); }); }
    void onTrialFailed(const std::string& trial, std::string_view error) override {
        locked([&] { target_.onTrialFailed(trial, error); });
    }
    void onTrialRequeued(const std::string& trial, std::string_view reason) override {
        locked([&] { target_.onTrialRequeued(trial, reason); });
    }

private:
    template <typename Call> void locked(Call call) {
        const std::lock_guard lock(mutex_);
        call();
    }
    std::mutex mutex_;
    ExperimentObserver& target_;
};

// A trial is done once its run has finished *and* its held-out figures are stored: a kill or a failed
// write between the two, or a project from before a figure existed, leaves an evaluation owed.
bool evaluated(RunStore& runs, std::int64_t runId) {
    for (const auto metric : experimentMetrics())
        if (runs.metric(runId, heldOutMetricName(metric)).empty()) return false;
    return !runs.metric(runId, kHeldOutEce).empty();
}

bool anyArmOnAGpu(const ExperimentSpec& spec) {
    for (const auto& arm : spec.arms)
        if (resolveDevice(arm.config.device).is_cuda()) return true;
    return false;
}

// An arm's own labels per class cap the trial's budget: "all labels" gives it its cap.
int armLabelsPerClass(const TrainConfig& arm, int budget) {
    if (arm.labelsPerClass <= 0) return budget;
    return budget == 0 ? arm.labelsPerClass : std::min(budget, arm.labelsPerClass);
}

} // namespace

Split heldOutSplit(ProjectStore& store) {
    return store.labeledImagesInSplit(Split::Test).empty() ? Split::Val : Split::Test;
}

ExperimentState experimentState(Database& db, std::int64_t experimentId) {
    const auto spec = ExperimentSpec::fromJson(ExperimentStore(db).experiment(experimentId).specJson);
    RunStore runs(db);
    ExperimentState state;
    for (const auto& trial : plannedTrials(spec)) {
        ++state.trials;
        const auto run = runs.trialRun(experimentId, trial.arm->name, trial.seed, trial.budget);
        const auto status = run ? std::optional(runs.run(*run).status) : std::nullopt;
        if (status == RunStatus::Finished && evaluated(runs, *run)) ++state.finished;
        else if (status == RunStatus::Failed) ++state.failed;
    }
    return state;
}

ExperimentRunSummary runExperiment(const std::filesystem::path& project, std::int64_t experimentId,
                                   ExperimentObserver& observer, std::stop_token stop, int parallelRuns,
                                   const std::vector<RemoteTraining*>& remotes) {
    ExperimentSpec spec;
    {
        Database db = openProject(project);
        spec = ExperimentSpec::fromJson(ExperimentStore(db).experiment(experimentId).specJson);
    }
    if (parallelRuns < 1) throw Error("trials at a time must be at least 1");
    if (parallelRuns > 1 && anyArmOnAGpu(spec))
        throw Error("trials run side by side on the CPU only; with a GPU, run them one at a time");
    // A round's picks may need the run of the round before, so its trials go one at a time, in order.
    if ((parallelRuns > 1 || !remotes.empty()) && spec.simulation)
        throw Error("a labelling simulation runs its trials one at a time");
    std::optional<LabellingSimulator> simulator;
    if (spec.simulation) simulator.emplace(project, experimentId, spec);
    const auto trials = plannedTrials(spec);

    std::mutex mutex; // guards everything below that the workers share
    std::deque<std::size_t> queue; // of `trials`, the next first
    for (std::size_t trial = 0; trial < trials.size(); ++trial) queue.push_back(trial);
    // Spread over processes, the largest trials start first, so none is left running alone at the end.
    if (!remotes.empty())
        std::stable_sort(queue.begin(), queue.end(), [&](std::size_t a, std::size_t b) {
            const auto size = [](int budget) { return budget == 0 ? std::numeric_limits<int>::max() : budget; };
            return size(trials[a].budget) > size(trials[b].budget);
        });
    std::set<std::size_t> requeued; // trials of lost remotes: their failed runs go on
    ExperimentRunSummary summary;
    ExperimentProgress progress;
    progress.runsTotal = int(trials.size());
    std::exception_ptr failure;
    const auto started = std::chrono::steady_clock::now();
    std::stop_source halt; // the caller's stop, or a worker's unexpected error
    const std::stop_callback forwardStop(stop, [&] { halt.request_stop(); });
    SerializedObserver serialized(observer);

    // Whether the worker takes another trial.
    enum class TrialEnd { Next, Stop, RemoteLost };
    const auto runTrial = [&](std::size_t index, RemoteTraining* remote) {
        const Trial& trial = trials[index];
        std::optional<std::int64_t> resumeRun, evaluateOnly;
        {
            Database db = openProject(project); // marks the runs of killed processes interrupted
            RunStore runs(db);
            if (const auto existing = runs.trialRun(experimentId, trial.arm->name, trial.seed, trial.budget)) {
                const auto status = runs.run(*existing).status;
                const bool done = status == RunStatus::Finished && evaluated(runs, *existing);
                bool retried = false;
                {
                    const std::lock_guard lock(mutex);
                    retried = requeued.count(index) > 0;
                }
                if (done || (status == RunStatus::Failed && !retried)) {
                    const std::lock_guard lock(mutex);
                    ++summary.skipped;
                    if (done) ++progress.runsDone;
                    return TrialEnd::Next;
                }
                if (status == RunStatus::Running)
                    throw Error(project.string() + ": run " + std::to_string(*existing) + " of this experiment is running in another process");
                if (status == RunStatus::Finished) {
                    evaluateOnly = *existing;
                } else if (const auto checkpoint = runs.checkpoint(*existing, CheckpointKind::Last);
                           checkpoint && !checkpoint->trainingState.empty()) {
                    resumeRun = *existing;
                }
            }
        }
        {
            const std::lock_guard lock(mutex);
            progress.current = describe(spec, trial);
            serialized.onProgress(progress);
        }
        TrainingRequest request;
        request.project = project;
        request.arm = trial.arm->name;
        request.experimentId = experimentId;
        request.config = trial.arm->config;
        request.config.seed = trial.seed;
        request.config.labelsPerClass = simulator ? 0 : armLabelsPerClass(trial.arm->config, trial.budget);
        request.trialBudget = trial.budget;
        request.remote = remote;
        if (resumeRun) request.resumeRun = *resumeRun;
        try {
            std::int64_t runId = 0;
            if (simulator && !evaluateOnly) {
                try {
                    request.trainingImages = simulator->labelledSet(trial.arm->name, trial.seed, trial.budget, serialized, halt.get_token());
                } catch (const Error&) {
                    if (!halt.stop_requested()) throw; // a trial failure, below
                    const std::lock_guard lock(mutex);
                    summary.cancelled = true;
                    return TrialEnd::Stop;
                }
            }
            if (evaluateOnly) {
                runId = *evaluateOnly;
            } else {
                const auto result = runTraining(request, serialized, halt.get_token());
                if (result.status == RunStatus::Cancelled) {
                    const std::lock_guard lock(mutex);
                    summary.cancelled = true;
                    return TrialEnd::Stop;
                }
                runId = result.runId;
            }
            recordHeldOutFigures(project, runId);
        } catch (const LostRemoteError& error) {
            serialized.onTrialRequeued(describe(spec, trial), error.what());
            const std::lock_guard lock(mutex);
            requeued.insert(index);
            queue.push_front(index);
            return TrialEnd::RemoteLost;
        } catch (const Error& error) {
            if (halt.stop_requested()) throw;
            serialized.onTrialFailed(describe(spec, trial), error.what());
            const std::lock_guard lock(mutex);
            ++summary.failed;
            return TrialEnd::Next;
        }
        const std::lock_guard lock(mutex);
        ++(evaluateOnly ? summary.evaluated : summary.trained);
        summary.resumed += resumeRun ? 1 : 0;
        ++progress.runsDone;
        // Wall time per trial this call, so trials side by side shorten the estimate.
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        progress.etaSeconds = elapsed / (summary.trained + summary.evaluated) * double(progress.runsTotal - progress.runsDone);
        serialized.onProgress(progress);
        return TrialEnd::Next;
    };
    std::condition_variable queueChanged;
    int running = 0; // trials taken and not yet done: a lost remote's may come back
    // Returns false when its remote was lost.
    const auto worker = [&](RemoteTraining* remote) {
        while (true) {
            std::size_t trial = 0;
            {
                std::unique_lock lock(mutex);
                while (queue.empty() && running > 0 && !halt.stop_requested())
                    queueChanged.wait_for(lock, std::chrono::milliseconds(100));
                if (queue.empty() || halt.stop_requested()) return true;
                trial = queue.front();
                queue.pop_front();
                ++running;
            }
            auto end = TrialEnd::Stop;
            try {
                end = runTrial(trial, remote);
            } catch (...) {
                const std::lock_guard lock(mutex);
                if (!failure) failure = std::current_exception();
                halt.request_stop();
            }
            const std::lock_guard lock(mutex);
            --running;
            queueChanged.notify_all();
            if (end == TrialEnd::RemoteLost) return false;
            if (end == TrialEnd::Stop || halt.stop_requested()) return true;
        }
    };

    if (parallelRuns == 1 && remotes.empty()) {
        worker(nullptr);
    } else {
        const int coresEach = std::max(1, int(std::thread::hardware_concurrency()) / parallelRuns);
        std::vector<std::jthread> workers;
        for (int i = 0; i < parallelRuns; ++i)
            workers.emplace_back([&] {
                CoreShare share(coresEach);
                worker(nullptr);
            });
        for (auto* remote : remotes)
            workers.emplace_back([&, remote] {
                if (!worker(remote)) return;
                try {
                    remote->release();
                } catch (const LostRemoteError&) {
                    // Gone at the end: nothing of it is owed.
                }
            });
    }
    if (failure) std::rethrow_exception(failure);
    if (halt.stop_requested() && !queue.empty()) summary.cancelled = true;
    return summary;
}

} // namespace graft
