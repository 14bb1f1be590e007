#pragma once

#include "data/SyntheticShapes.h"
#include "project/ProjectFile.h"
#include "train/TrainingSession.h"

#include "TempDir.h"

#include <gtest/gtest.h>

namespace graft::testing {

// Trains one TinyNet run from scratch on all of `project`'s training images; returns its id.
inline std::int64_t trainRun(const std::filesystem::path& project, int epochs, int batchSize) {
    TrainingRequest request;
    request.project = project;
    request.config.epochs = epochs;
    request.config.batchSize = batchSize;
    TrainObserver quiet;
    return runTraining(request, quiet, {}).runId;
}

// Trains a TinyNet from scratch on all of `project`'s training images and writes its weights to
// `weights`: a backbone to transfer from in experiments.
inline void pretrainWeights(const std::filesystem::path& project, const std::filesystem::path& weights, int epochs, int batchSize) {
    TrainingRequest request;
    request.project = project;
    request.config.epochs = epochs;
    request.config.batchSize = batchSize;
    request.saveWeightsTo = weights;
    TrainObserver quiet;
    runTraining(request, quiet, {});
}

// A shapes project (20 images per class) with one finished one-epoch TinyNet run.
class TrainedShapesRun : public ::testing::Test {
protected:
    void SetUp() override {
        {
            Database db = createProject(project());
            importSyntheticShapes(db, 20, 5);
        }
        runId_ = trainRun(project(), 1, 16);
    }
    std::filesystem::path project() const { return dir_ / "shapes.graft"; }

    TempDir dir_;
    std::int64_t runId_ = 0;
};

} // namespace graft::testing
