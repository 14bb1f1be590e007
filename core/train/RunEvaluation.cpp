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
    torch::Tensor labels; // the model's class indices, in order
    Evaluation evaluation;
    std::int64_t size() const { return std::int64_t(images.size()); }
};

// The validation images are the run's training domains'; the others judge it on its target domain.
// Streamed: the split's images are decoded batch by batch, whatever its size.
SplitEvaluation evaluateSplit(const std::filesystem::path& project, Database& db, ProjectStore& store, const RunModel& run,
                              Split split, torch::Device device, std::stop_token stop, const std::string& source) {
    const auto classIndex = classIndexByName(store, run.spec.classes);
    const auto& config = run.spec.config;
    const auto inSplit = store.labeledImagesInSplit(split);
    SplitEvaluation result;
    for (const auto& image : split == Split::Val ? inTrainingDomains(db, config, inSplit) : inTargetDomain(db, config, inSplit))
        if (classIndex.contains(image.classId)) result.images.push_back(image);
    if (result.images.empty()) return result;
    const auto streamed = streamedFromProject(project, result.images, classIndex);
    result.labels = streamed.labels;
    result.evaluation = evaluateEncoded(*run.model, *streamed.encoded, result.labels, run.architecture.preprocess, config.batchSize, device, stop);
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
    const auto evaluated = evaluateSplit(project, db, store, run, split, device, stop, source);
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
    result.report = ClassificationReport::of(truth, evaluation.predictions, spec.classes);
    for (std::size_t i = 0; i < truth.size(); ++i)
        if (truth[i] != evaluation.predictions[i])
            result.misclassified.push_back({images[i].sha256, spec.classes[std::size_t(truth[i])],
                                            spec.classes[std::size_t(evaluation.predictions[i])],
                                            double(evaluation.confidences[i])});
    result.confidences.assign(evaluation.confidences.begin(), evaluation.confidences.end());
    result.reliability = reliabilityOf(evaluation.logits, labels);

    if (temperatureFit == TemperatureFit::OnValidation && split != Split::Val) {
        const auto validation = evaluateSplit(project, db, store, run, Split::Val, device, stop, source);
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
