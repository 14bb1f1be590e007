#pragma once

#include "data/SyntheticShapes.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/TaskStore.h"
#include "train/TrainingSession.h"

#include <filesystem>

namespace graft::testing {

// Shapes (circle, square, triangle; `perClass` of each) in the first task, and a second task,
// corners (round or angular), labelled on every other image only: an image without a label
// there must still teach the shape.
inline void createTwoTaskShapesProject(const std::filesystem::path& file, int perClass) {
    Database db = createProject(file);
    importSyntheticShapes(db, perClass, 3);
    ProjectStore shapes(db);
    ProjectStore corners(db, TaskStore(db).ensure("corners"));
    const auto names = shapes.classNames();
    int index = 0;
    for (const auto& image : shapes.catalog())
        if (index++ % 2 == 0)
            corners.setLabel(image.sha256, corners.ensureClass(names.at(*image.classId) == "circle" ? "round" : "angular"));
}

// A one-epoch run of both tasks of such a project: a model with a head per task, to export.
inline std::int64_t trainedTwoTaskRun(const std::filesystem::path& project) {
    TrainingRequest request;
    request.project = project;
    request.config.epochs = 1;
    request.config.tasks = "class,corners";
    TrainObserver quiet;
    return runTraining(request, quiet, {}).runId;
}

} // namespace graft::testing
