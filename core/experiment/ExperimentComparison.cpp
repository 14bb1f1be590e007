#include "experiment/ExperimentComparison.h"

#include "common/Error.h"
#include "experiment/ExperimentRunner.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"
#include "project/RunStore.h"
#include "project/TaskStore.h"
#include "train/RunDomains.h"

#include <algorithm>
#include <map>
#include <set>

namespace graft {
namespace {

struct TrialOutcome {
    double score = 0;
    std::optional<double> calibrationError;
    std::vector<Misclassification> errors; // ordered by image
};

// The finished trials of one arm at one budget, by seed.
using OutcomeBySeed = std::map<std::uint64_t, TrialOutcome>;

OutcomeBySeed finishedTrials(RunStore& runs, std::int64_t experimentId, const ExperimentSpec& spec,
                             const std::string& arm, int budget) {
    OutcomeBySeed outcomes;
    for (const auto seed : spec.seeds) {
        const auto runId = runs.trialRun(experimentId, arm, seed, budget);
        if (!runId || runs.run(*runId).status != RunStatus::Finished) continue;
        const auto score = runs.metric(*runId, heldOutMetricName(spec.judgedBy()));
        if (score.empty()) continue;
        const auto ece = runs.metric(*runId, kHeldOutEce);
        outcomes[seed] = {score.back().value, ece.empty() ? std::nullopt : std::optional(ece.back().value),
                          runs.heldOutErrors(*runId)};
    }
    return outcomes;
}

std::set<std::string> imagesOf(const std::vector<Misclassification>& errors) {
    std::set<std::string> images;
    for (const auto& error : errors) images.insert(error.image);
    return images;
}

// Pools the discordant pairs of every seed both arms finished.
McNemarResult pooledMcNemar(const OutcomeBySeed& arm, const OutcomeBySeed& baseline) {
    std::int64_t onlyArmRight = 0, onlyBaselineRight = 0;
    for (const auto& [seed, outcome] : arm) {
        const auto paired = baseline.find(seed);
        if (paired == baseline.end()) continue;
        const auto armWrong = imagesOf(outcome.errors), baselineWrong = imagesOf(paired->second.errors);
        for (const auto& image : baselineWrong) onlyArmRight += armWrong.contains(image) ? 0 : 1;
        for (const auto& image : armWrong) onlyBaselineRight += baselineWrong.contains(image) ? 0 : 1;
    }
    return mcNemar(onlyArmRight, onlyBaselineRight);
}

std::vector<MisclassifiedImage> misclassifiedAcrossSeeds(const OutcomeBySeed& outcomes) {
    std::map<std::string, MisclassifiedImage> byImage;
    for (const auto& [seed, outcome] : outcomes)
        for (const auto& error : outcome.errors) {
            auto& image = byImage[error.image];
            image.image = error.image;
            image.actual = error.actual;
            image.predicted.push_back(error.predicted);
        }
    std::vector<MisclassifiedImage> images;
    for (auto& [sha, image] : byImage) images.push_back(std::move(image));
    std::stable_sort(images.begin(), images.end(),
                     [](const auto& a, const auto& b) { return a.predicted.size() > b.predicted.size(); });
    return images;
}

ArmJudging judgingOf(Database& db, const ExperimentArm& arm, const std::vector<LabeledImage>& validationImages) {
    const auto& config = arm.config;
    const auto validation = inTrainingDomains(db, config, validationImages).size();
    const std::string domains = !config.trainingDomains.empty() ? config.trainingDomains
                                : config.adaptsToDomain()       ? "every domain but " + config.targetDomain
                                                                : "every domain";
    const std::string metric = config.earlyStopMetric == "val_accuracy" ? "validation accuracy" : "validation loss";
    ArmJudging judging{arm.name, "", ""};
    judging.modelSelection = validation > 0 ? "the best " + metric + " on the " + std::to_string(validation) +
                                                  " validation images of " + domains
                                            : "the schedule's end (" + domains + " has no validation images)";
    judging.heldOut = config.targetDomain.empty() ? "every held-out image" : "the held-out images of " + config.targetDomain;
    return judging;
}

} // namespace

ExperimentComparison compareExperiment(const std::filesystem::path& project, std::int64_t experimentId) {
    Database db = openProject(project, ProjectAccess::ReadOnly);
    ExperimentComparison comparison;
    comparison.experimentId = experimentId;
    comparison.spec = ExperimentSpec::fromJson(ExperimentStore(db).experiment(experimentId).specJson);
    comparison.metric = comparison.spec.judgedBy();
    const auto& spec = comparison.spec;
    RunStore runs(db);

    std::map<std::string, std::vector<CurvePoint>> curves; // every seed's point, for the fit
    std::map<std::string, std::vector<CurvePoint>> meanCurves; // a point per budget: the mean over seeds
    std::map<std::pair<std::string, int>, OutcomeBySeed> byArmAndBudget;
    for (const int budget : spec.budgets)
        for (const auto& arm : spec.arms) {
            auto outcomes = finishedTrials(runs, experimentId, spec, arm.name, budget);
            if (budget > 0 && !outcomes.empty()) {
                double sum = 0;
                for (const auto& [seed, outcome] : outcomes) {
                    curves[arm.name].push_back({double(budget), outcome.score});
                    sum += outcome.score;
                }
                meanCurves[arm.name].push_back({double(budget), sum / double(outcomes.size())});
            }
            byArmAndBudget[{arm.name, budget}] = std::move(outcomes);
        }

    const auto firstTask = TaskStore(db).name(kFirstTask);
    const auto baselineArm =
        std::find_if(spec.arms.begin(), spec.arms.end(), [&](const ExperimentArm& arm) { return arm.name == spec.baseline; });
    const auto baselineTasks = tasksOfArm(*baselineArm, firstTask);
    for (const int budget : spec.budgets)
        for (const auto& arm : spec.arms) {
            ArmBudgetResult result;
            result.arm = arm.name;
            result.budget = budget;
            const auto& outcomes = byArmAndBudget[{arm.name, budget}];
            std::vector<double> calibrationErrors;
            for (const auto& [seed, outcome] : outcomes) {
                result.scores.push_back(outcome.score);
                if (outcome.calibrationError) calibrationErrors.push_back(*outcome.calibrationError);
            }
            if (!result.scores.empty()) result.score = Summary::of(result.scores);
            if (!calibrationErrors.empty()) result.calibrationError = Summary::of(calibrationErrors);
            result.misclassified = misclassifiedAcrossSeeds(outcomes);
            // An arm that learns other tasks than the baseline has other figures: its tasks are
            // compared one by one instead (compareTasks).
            const auto tasks = tasksOfArm(arm, firstTask);
            result.learnsOtherTasks = tasks != baselineTasks;
            if (arm.name != spec.baseline && !result.learnsOtherTasks) {
                const auto& baselineBySeed = byArmAndBudget[{spec.baseline, budget}];
                std::vector<double> paired, baseline;
                for (const auto& [seed, outcome] : outcomes)
                    if (const auto found = baselineBySeed.find(seed); found != baselineBySeed.end()) {
                        paired.push_back(outcome.score);
                        baseline.push_back(found->second.score);
                    }
                if (!paired.empty()) {
                    result.versusBaseline = comparePaired(paired, baseline);
                    // A multi-task run keeps no errors of its own (one per task); the tasks' verdicts judge it.
                    if (tasks.size() == 1) result.mcNemarVersusBaseline = pooledMcNemar(outcomes, baselineBySeed);
                }
                // Mean against mean: one lucky baseline seed does not count as the baseline reaching it.
                if (budget > 0 && result.score && !meanCurves[spec.baseline].empty())
                    result.baselineLabelsToMatch = labelsToReach(meanCurves[spec.baseline], result.score->mean);
            }
            comparison.results.push_back(std::move(result));
        }

    const bool namesDomains = std::any_of(spec.arms.begin(), spec.arms.end(), [](const ExperimentArm& arm) {
        return !arm.config.trainingDomains.empty() || !arm.config.targetDomain.empty();
    });
    if (namesDomains) {
        const auto validationImages = ProjectStore(db).labeledImagesInSplit(Split::Val); // read once for every arm
        for (const auto& arm : spec.arms) comparison.judging.push_back(judgingOf(db, arm, validationImages));
    }

    for (const auto& arm : spec.arms) {
        ArmCurve curve{arm.name, std::nullopt};
        try {
            curve.fit = fitPowerLaw(curves[arm.name]);
        } catch (const Error&) { // fewer than two budgets: no curve to fit
        }
        comparison.curves.push_back(curve);
    }
    comparison.tasks = compareTasks(runs, experimentId, spec, firstTask);
    return comparison;
}

} // namespace graft
