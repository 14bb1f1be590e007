#include "train/RunEvaluation.h"

#include "common/Error.h"
#include "metrics/Calibration.h"
#include "models/Classifier.h"
#include "project/ProjectFile.h"
#include "project/TaskStore.h"
#include "train/ComputeSetup.h"
#include "train/CpuBlockCache.h"
#include "train/Evaluation.h"
#include "train/ProjectTensors.h"
#include "train/RunDomains.h"
#include "train/RunModel.h"

namespace graft {

namespace {

struct SplitEvaluation {
    std::vector<LabeledImage> images;
    torch::Tensor labels; // the model's class indices, in order
    Evaluation evaluation;
    std::int64_t size() const { return std::int64_t(images.size()); }
};

// The validation images are the run's training domains'; the others judge it on its target domain.
// Streamed: the split's images are decoded batch by batch, whatever its size.
// What a run's evaluation judges: one task, by its head's classes and outputs.
struct JudgedTask {
    std::int64_t task = kFirstTask;
    std::vector<std::string> classes;
    std::optional<HeadColumns> head; // a multi-task model's outputs of the task
};

JudgedTask judgedTask(Database& db, const RunSpec& spec, const std::string& task, const std::string& source) {
    TaskStore tasks(db);
    if (spec.tasks.empty()) {
        const auto named = nameList(spec.config.tasks);
        const auto runTask = named.empty() ? tasks.name(kFirstTask) : named.front();
        if (!task.empty() && task != runTask) throw Error(source + " learnt task " + runTask + " alone, not " + task);
        return {tasks.require(runTask), spec.classes, std::nullopt};
    }
    std::string names;
    const auto columns = headColumns(spec.tasks);
    for (std::size_t i = 0; i < spec.tasks.size(); ++i) {
        if (spec.tasks[i].name == task) return {tasks.require(task), spec.tasks[i].classes, columns[i]};
        names += (names.empty() ? "" : ", ") + spec.tasks[i].name;
    }
    throw Error(source + " learnt the tasks " + names + ": name the one to evaluate" +
                (task.empty() ? std::string() : " (not " + task + ")"));
}

SplitEvaluation evaluateSplit(const std::filesystem::path& project, Database& db, ProjectStore& store, const RunModel& run,
                              const JudgedTask& judged, Split split, torch::Device device, std::stop_token stop,
                              const std::string& source) {
    const auto classIndex = classIndexByName(store, judged.classes);
    const auto& config = run.spec.config;
    const auto inSplit = store.labeledImagesInSplit(split);
    SplitEvaluation result;
    for (const auto& image : split == Split::Val ? inTrainingDomains(db, config, inSplit) : inTargetDomain(db, config, inSplit))
        if (classIndex.contains(image.classId)) result.images.push_back(image);
    if (result.images.empty()) return result;
    const auto streamed = streamedFromProject(project, result.images, classIndex);
    result.labels = streamed.labels;
    result.evaluation = evaluateEncoded(*run.model, *streamed.encoded, result.labels, run.architecture.preprocess,
                                        config.batchSize, device, stop, judged.head);
    if (!result.evaluation.complete) throw Error(source + ": evaluation stopped");
    return result;
}

} // namespace

RunEvaluationResult evaluateRun(const std::filesystem::path& project, std::int64_t runId, Split split,
                                std::stop_token stop, TemperatureFit temperatureFit, const std::string& task) {
    useCpuCores();
    const CpuBlockCacheScope blockCache;
    Database db = openProject(project, ProjectAccess::ReadOnly);
    const std::string source = project.string() + " run " + std::to_string(runId);
    const RunModel run = loadRunModel(db, runId, source);
    const auto judged = judgedTask(db, run.spec, task, source);
    const auto& classes = judged.classes;
    ProjectStore store(db, judged.task);
    const torch::Device device = resolveDevice(run.spec.config.device);
    run.model->to(device);
    const auto evaluated = evaluateSplit(project, db, store, run, judged, split, device, stop, source);
    const auto& [images, labels, evaluation] = evaluated;
    if (evaluated.size() == 0) throw Error(project.string() + ": the " + std::string(splitName(split)) + " split is empty");

    RunEvaluationResult result;
    result.runId = runId;
    result.split = split;
    result.checkpointEpoch = run.checkpointEpoch;
    result.bestCheckpoint = run.bestCheckpoint;
    result.images = evaluation.count;
    result.accuracy = evaluation.accuracy;
    result.loss = evaluation.loss;
    const std::vector<std::int64_t> truth(labels.data_ptr<std::int64_t>(), labels.data_ptr<std::int64_t>() + evaluated.size());
    result.report = ClassificationReport::of(truth, evaluation.predictions, classes);
    for (std::size_t i = 0; i < truth.size(); ++i)
        if (truth[i] != evaluation.predictions[i])
            result.misclassified.push_back({images[i].sha256, classes[std::size_t(truth[i])],
                                            classes[std::size_t(evaluation.predictions[i])],
                                            double(evaluation.confidences[i])});
    result.confidences.assign(evaluation.confidences.begin(), evaluation.confidences.end());
    result.reliability = reliabilityOf(evaluation.logits, labels);

    if (temperatureFit == TemperatureFit::OnValidation && split != Split::Val) {
        const auto validation = evaluateSplit(project, db, store, run, judged, Split::Val, device, stop, source);
        if (validation.size() > 0) {
            const auto& fitted = validation.evaluation.logits;
            const auto& fittedLabels = validation.labels;
            TemperatureScaling scaling;
            scaling.temperature = fitTemperature(fitted, fittedLabels);
            scaling.fittedImages = fitted.size(0);
            scaling.fittedNllBefore = negativeLogLikelihood(fitted, fittedLabels);
            scaling.fittedNllAfter = negativeLogLikelihood(fitted, fittedLabels, scaling.temperature);
            scaling.after = reliabilityOf(evaluation.logits, labels, scaling.temperature);
            result.temperatureScaling = scaling;
        }
    }
    return result;
}

} // namespace graft
