#include "train/RunEvaluation.h"

#include "common/Error.h"
#include "metrics/Calibration.h"
#include "models/Classifier.h"
#include "project/ProjectFile.h"
#include "train/ComputeSetup.h"
#include "train/Evaluation.h"
#include "train/ProjectTensors.h"
#include "train/RunDomains.h"
#include "train/RunModel.h"

namespace graft {

namespace {

struct SplitEvaluation {
    std::vector<LabeledImage> images;
    LabeledTensors data;
    Evaluation evaluation;
};

// The validation images are the run's training domains'; the others judge it on its target domain.
SplitEvaluation evaluateSplit(Database& db, ProjectStore& store, const RunModel& run, Split split, torch::Device device,
                              std::stop_token stop, const std::string& source) {
    const auto classIndex = classIndexByName(store, run.spec.classes);
    const auto& config = run.spec.config;
    const auto inSplit = store.labeledImagesInSplit(split);
    SplitEvaluation result;
    for (const auto& image : split == Split::Val ? inTrainingDomains(db, config, inSplit) : inTargetDomain(db, config, inSplit))
        if (classIndex.contains(image.classId)) result.images.push_back(image);
    result.data = loadTensors(store, result.images, classIndex, run.architecture.preprocess);
    if (result.data.size() == 0) return result;
    result.evaluation = evaluate(*run.model, result.data, run.spec.config.batchSize, device, stop);
    if (!result.evaluation.complete) throw Error(source + ": evaluation stopped");
    return result;
}

} // namespace

RunEvaluationResult evaluateRun(const std::filesystem::path& project, std::int64_t runId, Split split,
                                std::stop_token stop, TemperatureFit temperatureFit) {
    useCpuCores();
    Database db = openProject(project, ProjectAccess::ReadOnly);
    const std::string source = project.string() + " run " + std::to_string(runId);
    const RunModel run = loadRunModel(db, runId, source);
    const auto& spec = run.spec;
    ProjectStore store(db);
    const torch::Device device = resolveDevice(spec.config.device);
    run.model->to(device);
    const auto [images, data, evaluation] = evaluateSplit(db, store, run, split, device, stop, source);
    if (data.size() == 0) throw Error(project.string() + ": the " + std::string(splitName(split)) + " split is empty");

    RunEvaluationResult result;
    result.runId = runId;
    result.split = split;
    result.checkpointEpoch = run.checkpointEpoch;
    result.bestCheckpoint = run.bestCheckpoint;
    result.images = evaluation.count;
    result.accuracy = evaluation.accuracy;
    result.loss = evaluation.loss;
    const auto* labels = data.labels.data_ptr<std::int64_t>();
    const std::vector<std::int64_t> truth(labels, labels + data.size());
    result.report = ClassificationReport::of(truth, evaluation.predictions, spec.classes);
    for (std::size_t i = 0; i < truth.size(); ++i)
        if (truth[i] != evaluation.predictions[i])
            result.misclassified.push_back({images[i].sha256, spec.classes[std::size_t(truth[i])],
                                            spec.classes[std::size_t(evaluation.predictions[i])],
                                            double(evaluation.confidences[i])});
    result.confidences.assign(evaluation.confidences.begin(), evaluation.confidences.end());
    result.reliability = reliabilityOf(evaluation.logits, data.labels);

    if (temperatureFit == TemperatureFit::OnValidation && split != Split::Val) {
        const auto validation = evaluateSplit(db, store, run, Split::Val, device, stop, source);
        if (validation.data.size() > 0) {
            const auto& fitted = validation.evaluation.logits;
            const auto& fittedLabels = validation.data.labels;
            TemperatureScaling scaling;
            scaling.temperature = fitTemperature(fitted, fittedLabels);
            scaling.fittedImages = fitted.size(0);
            scaling.fittedNllBefore = negativeLogLikelihood(fitted, fittedLabels);
            scaling.fittedNllAfter = negativeLogLikelihood(fitted, fittedLabels, scaling.temperature);
            scaling.after = reliabilityOf(evaluation.logits, data.labels, scaling.temperature);
            result.temperatureScaling = scaling;
        }
    }
    return result;
}

} // namespace graft
