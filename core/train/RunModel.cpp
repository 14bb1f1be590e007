#include "train/RunModel.h"

#include "common/Error.h"
#include "models/Classifier.h"
#include "train/CheckpointWeights.h"
#include "project/RunStore.h"

namespace graft {

RunModel loadRunModel(Database& db, std::int64_t runId, const std::string& source) {
    RunStore runs(db);
    RunModel loaded;
    loaded.spec = RunSpec::fromJson(runs.run(runId).configJson);
    auto checkpoint = runs.checkpoint(runId, CheckpointKind::Best);
    loaded.bestCheckpoint = checkpoint.has_value();
    if (!checkpoint) checkpoint = runs.checkpoint(runId, CheckpointKind::Last);
    if (!checkpoint) throw Error(source + ": has no checkpoint yet (it did not finish an epoch)");
    loaded.checkpointEpoch = checkpoint->epoch;
    loaded.architecture = architectureSpec(loaded.spec.config.arch, loaded.spec.config.inputSize);
    loaded.model = createClassifier(loaded.architecture, int(loaded.spec.classes.size()));
    loadCheckpointWeights(*loaded.model, *checkpoint, source);
    loaded.model->eval();
    return loaded;
}

} // namespace graft
