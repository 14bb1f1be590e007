#pragma once

#include "data/SyntheticShapes.h"
#include "project/ProjectFile.h"
#include "train/TrainingSession.h"

#include "TempDir.h"

#include <gtest/gtest.h>

namespace graft::testing {

// A shapes project (20 images per class) with one finished one-epoch TinyNet run.
class TrainedShapesRun : public ::testing::Test {
protected:
    void SetUp() override {
        {
            Database db = createProject(project());
            importSyntheticShapes(db, 20, 5);
        }
        TrainingRequest request;
        request.project = project();
        request.config.epochs = 1;
        request.config.batchSize = 16;
        TrainObserver quiet;
        runId_ = runTraining(request, quiet, {}).runId;
    }
    std::filesystem::path project() const { return dir_ / "shapes.graft"; }

    TempDir dir_;
    std::int64_t runId_ = 0;
};

} // namespace graft::testing
