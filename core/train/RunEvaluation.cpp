#include "train/RunEvaluation.h"

#include "models/Architectures.h"
#include "models/Classifier.h"
#include "models/Weights.h"
#include "project/ProjectFile.h"
#include "project/RunStore.h"
#include "train/ComputeSetup.h"
#include "train/Evaluation.h"
#include "train/ProjectTensors.h"
#include "train/RunSpec.h"

namespace graft {

RunEvaluationResult evaluateRun(const std::filesystem::path& project, std::int64_t runId, Split split) {
    useCpuCores();
    Database db = openProject(project, ProjectAccess::ReadOnly);
    RunStore runs(db);
    const RunSpec spec = RunSpec::fromJson(runs.run(runId).configJson);
    auto checkpoint = runs.checkpoint(runId, CheckpointKind::Best);
    const bool best = checkpoint.has_value();
    if (!best) checkpoint = runs.checkpoint(runId, CheckpointKind::Last);
    const std::string source = project.string() + " run " + std::to_string(runId);
    if (!checkpoint) throw Error(source + ": has no checkpoint yet (it did not finish an epoch)");

    const auto architecture = architectureSpec(spec.config.arch);
    auto model = createClassifier(architecture, int(spec.classes.size()));
    loadAllWeights(*model, checkpoint->weights, source);

    ProjectStore store(db);
    const auto classIndex = classIndexByName(store, spec.classes);
    std::vector<LabeledImage> images;
    for (const auto& image : store.labeledImagesInSplit(split))
        if (classIndex.contains(image.classId)) images.push_back(image);
    const auto data = loadTensors(store, images, classIndex, architecture.preprocess);
    if (data.size() == 0) throw Error(project.string() + ": the " + std::string(splitName(split)) + " split is empty");
    const torch::Device device = resolveDevice(spec.config.device);
    model->to(device);
    const Evaluation evaluation = evaluate(*model, data, spec.config.batchSize, device);
    RunEvaluationResult result;
    result.runId = runId;
    result.split = split;
    result.checkpointEpoch = checkpoint->epoch;
    result.bestCheckpoint = best;
    result.images = evaluation.count;
    result.accuracy = evaluation.accuracy;
    result.loss = evaluation.loss;
    const auto* labels = data.labels.data_ptr<std::int64_t>();
    const std::vector<std::int64_t> truth(labels, labels + data.size());
    result.report = ClassificationReport::of(truth, evaluation.predictions, spec.classes);
    for (std::size_t i = 0; i < truth.size(); ++i)
        if (truth[i] != evaluation.predictions[i])
            result.misclassified.push_back({images[i].sha256, spec.classes[std::size_t(truth[i])],
                                            spec.classes[std::size_t(evaluation.predictions[i])]});
    return result;
}

} // namespace graft
