#include "train/RunEvaluation.h"

#include "models/Classifier.h"
#include "project/ProjectFile.h"
#include "train/ComputeSetup.h"
#include "train/Evaluation.h"
#include "train/ProjectTensors.h"
#include "train/RunModel.h"

namespace graft {

RunEvaluationResult evaluateRun(const std::filesystem::path& project, std::int64_t runId, Split split,
                                std::stop_token stop) {
    useCpuCores();
    Database db = openProject(project, ProjectAccess::ReadOnly);
    const std::string source = project.string() + " run " + std::to_string(runId);
    const RunModel run = loadRunModel(db, runId, source);
    const auto& spec = run.spec;
    auto& model = run.model;

    ProjectStore store(db);
    const auto classIndex = classIndexByName(store, spec.classes);
    std::vector<LabeledImage> images;
    for (const auto& image : store.labeledImagesInSplit(split))
        if (classIndex.contains(image.classId)) images.push_back(image);
    const auto data = loadTensors(store, images, classIndex, run.architecture.preprocess);
    if (data.size() == 0) throw Error(project.string() + ": the " + std::string(splitName(split)) + " split is empty");
    const torch::Device device = resolveDevice(spec.config.device);
    model->to(device);
    const Evaluation evaluation = evaluate(*model, data, spec.config.batchSize, device, stop);
    if (!evaluation.complete) throw Error(source + ": evaluation stopped");
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
    return result;
}

} // namespace graft
