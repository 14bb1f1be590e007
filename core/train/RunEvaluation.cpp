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
    useAllCores();
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
    const auto data = loadTensors(store, store.labeledImagesInSplit(split), classIndexByName(store, spec.classes),
                                  architecture.preprocess);
    if (data.size() == 0) throw Error(project.string() + ": the " + std::string(splitName(split)) + " split is empty");
    const torch::Device device = resolveDevice(spec.config.device);
    model->to(device);
    const Evaluation evaluation = evaluate(*model, data, spec.config.batchSize, device);
    return {runId, split, checkpoint->epoch, best, evaluation.count, evaluation.accuracy, evaluation.loss};
}

} // namespace graft
