#include "RunInspection.h"

#include "ThumbnailLoader.h"

#include "common/Error.h"
#include "experiment/ExperimentRunner.h"
#include "experiment/ExperimentSpec.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"
#include "project/RunStore.h"
#include "train/RunEvaluation.h"

#include <algorithm>

namespace graft::ui {

RunInspection inspectRun(const std::filesystem::path& project, qint64 runId, int thumbnailSize, std::stop_token stop) {
    Database db = openProject(project, ProjectAccess::ReadOnly);
    ProjectStore store(db);
    const Split split = heldOutSplit(store);
    const auto evaluation = evaluateRun(project, runId, split, stop);
    const auto run = RunStore(db).run(runId);
    RunInspection inspection;
    inspection.runId = runId;
    inspection.arm = QString::fromStdString(run.arm);
    inspection.seed = qint64(run.seed);
    inspection.budget = QString::fromStdString(
        run.experimentId > 0 ? ExperimentSpec::fromJson(ExperimentStore(db).experiment(run.experimentId).specJson).budgetText(int(run.labelsPerClass))
                             : ExperimentSpec().budgetText(int(run.labelsPerClass)));
    inspection.split = QString::fromStdString(std::string(splitName(split)));
    inspection.images = evaluation.images;
    inspection.accuracy = evaluation.accuracy;
    for (const auto& metrics : evaluation.report.classes) inspection.classes.push_back(metrics.name);
    inspection.confusion = evaluation.report.confusion;
    inspection.reliability = evaluation.reliability;
    for (const auto& error : evaluation.misclassified) {
        if (stop.stop_requested()) throw Error(project.string() + " run " + std::to_string(runId) + ": inspection stopped");
        inspection.errors.push_back({QString::fromStdString(error.image), QString::fromStdString(error.actual),
                                     QString::fromStdString(error.predicted), error.confidence.value_or(0),
                                     ThumbnailLoader::thumbnail(store.imageBytes(error.image), thumbnailSize)});
    }
    std::stable_sort(inspection.errors.begin(), inspection.errors.end(),
                     [](const InspectedError& a, const InspectedError& b) { return a.confidence > b.confidence; });
    return inspection;
}

} // namespace graft::ui
