#include "experiment/ExperimentRunner.h"

#include "experiment/ExperimentSpec.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"
#include "train/RunEvaluation.h"
#include "train/TrainingSession.h"

#include <chrono>

namespace graft {
namespace {

struct Trial {
    const ExperimentArm* arm;
    std::uint64_t seed;
    int budget;
};

std::string describe(const Trial& trial) {
    return trial.arm->name + ", seed " + std::to_string(trial.seed) + ", " +
           (trial.budget == 0 ? std::string("all labels") : std::to_string(trial.budget) + " labels per class");
}

void recordHeldOutAccuracy(const std::filesystem::path& project, std::int64_t runId) {
    Database db = openProject(project);
    const Split split = ProjectStore(db).labeledImagesInSplit(Split::Test).empty() ? Split::Val : Split::Test;
    const auto evaluation = evaluateRun(project, runId, split);
    RunStore runs(db);
    const auto record = runs.run(runId);
    const Metric metric[] = {{kHeldOutAccuracy, evaluation.accuracy}};
    runs.addMetrics(runId, record.lastStep, record.epochsDone, metric);
}

} // namespace

ExperimentRunSummary runExperiment(const std::filesystem::path& project, std::int64_t experimentId,
                                   ExperimentObserver& observer, std::stop_token stop) {
    ExperimentSpec spec;
    {
        Database db = openProject(project);
        spec = ExperimentSpec::fromJson(ExperimentStore(db).experiment(experimentId).specJson);
    }
    std::vector<Trial> trials;
    for (const int budget : spec.budgets)
        for (const auto seed : spec.seeds)
            for (const auto& arm : spec.arms) trials.push_back({&arm, seed, budget});

    ExperimentRunSummary summary;
    ExperimentProgress progress;
    progress.runsTotal = int(trials.size());
    double trainedSeconds = 0;
    for (const auto& trial : trials) {
        std::optional<std::int64_t> resumeRun;
        {
            Database db = openProject(project); // marks the runs of killed processes interrupted
            RunStore runs(db);
            if (const auto existing = runs.trialRun(experimentId, trial.arm->name, trial.seed, trial.budget)) {
                const auto status = runs.run(*existing).status;
                if (status == RunStatus::Finished || status == RunStatus::Failed) {
                    ++summary.skipped;
                    if (status == RunStatus::Finished) ++progress.runsDone;
                    continue;
                }
                if (status == RunStatus::Running)
                    throw Error(project.string() + ": run " + std::to_string(*existing) + " of this experiment is running in another process");
                const auto checkpoint = runs.checkpoint(*existing, CheckpointKind::Last);
                if (checkpoint && !checkpoint->trainingState.empty()) resumeRun = *existing;
            }
        }
        progress.current = describe(trial);
        observer.onProgress(progress);
        TrainingRequest request;
        request.project = project;
        request.arm = trial.arm->name;
        request.experimentId = experimentId;
        request.config = trial.arm->config;
        request.config.seed = trial.seed;
        request.config.labelsPerClass = trial.budget;
        if (resumeRun) request.resumeRun = *resumeRun;
        const auto started = std::chrono::steady_clock::now();
        try {
            const auto result = runTraining(request, observer, stop);
            if (result.status == RunStatus::Cancelled) {
                summary.cancelled = true;
                return summary;
            }
            recordHeldOutAccuracy(project, result.runId);
        } catch (const Error& error) {
            if (stop.stop_requested()) throw;
            observer.onTrialFailed(describe(trial), error.what());
            ++summary.failed;
            continue;
        }
        ++summary.trained;
        summary.resumed += resumeRun ? 1 : 0;
        ++progress.runsDone;
        trainedSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        progress.etaSeconds = trainedSeconds / summary.trained * double(progress.runsTotal - progress.runsDone);
        observer.onProgress(progress);
    }
    return summary;
}

} // namespace graft
