#include "train/SelfSupervisedPretraining.h"

#include "common/Error.h"
#include "common/Sha256.h"
#include "data/UnlabelledPool.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "train/TrainingSession.h"

#include "ShapesProject.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace graft {
namespace {

namespace fs = std::filesystem;

class ShapesForPretraining : public ::testing::Test {
protected:
    void SetUp() override {
        testing::createShapesProject(project(), 20, 6);
        testing::unlabelHalfTheTrainingImages(project());
        Database db = openProject(project(), ProjectAccess::ReadOnly);
        ProjectStore store(db);
        labelledTraining_ = std::int64_t(store.labeledImagesInSplit(Split::Train).size());
        pool_ = std::int64_t(unlabelledPool(store, HiddenLabels::None, 0, 0).size());
    }
    fs::path project() const { return dir_ / "shapes.graft"; }

    SelfSupervisedRequest request(const std::string& name) const {
        SelfSupervisedRequest request;
        request.project = project();
        request.name = name;
        request.outputFolder = dir_ / "out";
        request.config.epochs = 2;
        request.config.batchSize = 16;
        request.config.optimizer = "sgd";
        request.config.learningRate = 0.05;
        request.config.augment = "crop:0.6";
        return request;
    }

    testing::TempDir dir_;
    std::int64_t labelledTraining_ = 0;
    std::int64_t pool_ = 0;
};

class StopAtStep : public TrainObserver {
public:
    explicit StopAtStep(std::int64_t step) : step_(step) {}
    void onStep(const StepEvent& event) override {
        if (event.step >= step_) source.request_stop();
    }
    std::stop_source source;

private:
    std::int64_t step_;
};

TEST_F(ShapesForPretraining, SimSiam_LearnsFromTrainingAndPoolImagesOnlyAndWritesWhatAnInitAccepts) {
    TrainObserver quiet;
    const auto result = pretrainSelfSupervised(request("shapes-simsiam"), quiet, {});
    ASSERT_EQ(result.status, RunStatus::Finished);
    EXPECT_EQ(result.images, labelledTraining_ + pool_) << "validation and test images never train";
    ASSERT_TRUE(fs::exists(result.weightsFile));
    EXPECT_FALSE(fs::exists(dir_ / "out" / "shapes-simsiam.partial")) << "a finished pretraining leaves no state behind";
    EXPECT_EQ(result.sha256, fileSha256Hex(result.weightsFile));

    std::ifstream manifestFile(result.manifestFile);
    const auto manifest = nlohmann::json::parse(manifestFile);
    EXPECT_EQ(manifest.at("method"), "simsiam");
    EXPECT_EQ(manifest.at("source").at("labelledTrainingImages"), labelledTraining_);
    EXPECT_EQ(manifest.at("source").at("unlabelledImages"), pool_);
    EXPECT_EQ(manifest.at("seed"), 0);
    EXPECT_EQ(manifest.at("recipe").at("augment"), "crop:0.6");
    ASSERT_TRUE(result.knnAccuracy && result.initialKnnAccuracy);
    EXPECT_EQ(manifest.at("knn").at("accuracy").get<double>(), *result.knnAccuracy);
    EXPECT_GE(*result.knnAccuracy, 0.0);
    EXPECT_LE(*result.knnAccuracy, 1.0);

    TrainingRequest fineTune;
    fineTune.project = project();
    fineTune.config.init = result.weightsFile.string();
    fineTune.config.epochs = 1;
    const auto trained = runTraining(fineTune, quiet, {});
    EXPECT_EQ(trained.status, RunStatus::Finished);
    bool headStartedAfresh = false, backboneLoaded = true;
    for (const auto& note : trained.initNotes) {
        headStartedAfresh |= note.starts_with("head.");
        backboneLoaded &= note.starts_with("head.");
    }
    EXPECT_TRUE(headStartedAfresh) << "the weights hold no head";
    EXPECT_TRUE(backboneLoaded) << "every other tensor came from the file";
}

TEST_F(ShapesForPretraining, SimSiam_StoppedMidEpochAndResumedEndsWithTheUnbrokenWeights) {
    TrainObserver quiet;
    const auto unbroken = pretrainSelfSupervised(request("unbroken"), quiet, {});
    ASSERT_EQ(unbroken.status, RunStatus::Finished);

    auto stopped = request("stopped");
    StopAtStep midEpoch(4); // about 40 images at 16 a batch: 3 steps an epoch, so within epoch 2
    const auto paused = pretrainSelfSupervised(stopped, midEpoch, midEpoch.source.get_token());
    ASSERT_EQ(paused.status, RunStatus::Cancelled);
    EXPECT_FALSE(fs::exists(dir_ / "out" / "stopped.pt")) << "nothing but the state until it finishes";
    ASSERT_TRUE(fs::exists(dir_ / "out" / "stopped.partial"));

    stopped.resume = true;
    stopped.config.epochs = 9; // ignored: a resume keeps the stopped attempt's recipe
    const auto resumed = pretrainSelfSupervised(stopped, quiet, {});
    ASSERT_EQ(resumed.status, RunStatus::Finished);
    EXPECT_EQ(resumed.sha256, unbroken.sha256) << "bit-identical weights";
    EXPECT_EQ(resumed.knnAccuracy, unbroken.knnAccuracy);
    EXPECT_EQ(resumed.initialKnnAccuracy, unbroken.initialKnnAccuracy);
}

TEST_F(ShapesForPretraining, SimSiam_ResumeWithNothingStoppedNamesTheFile) {
    TrainObserver quiet;
    auto resume = request("never-started");
    resume.resume = true;
    try {
        pretrainSelfSupervised(resume, quiet, {});
        FAIL() << "resumed nothing";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("never-started.partial: nothing to resume"), std::string::npos) << error.what();
    }
}

} // namespace
} // namespace graft
