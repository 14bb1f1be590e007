// Domain adaptation runs (AdaBN, Deep CORAL, DANN) through runTraining as every front end calls
// it: the target's labels never reach a loss, exact resume with the domain classifier, AdaBN's
// statistics, the target domain's held-out images.
#include "common/Error.h"
#include "data/ImageDecoding.h"
#include "data/Preprocess.h"
#include "models/Architectures.h"
#include "models/Weights.h"
#include "project/DomainStore.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"
#include "train/RunDomains.h"
#include "train/RunEvaluation.h"
#include "train/TrainingInputs.h"
#include "train/TrainingSession.h"

#include "TempDir.h"
#include "ResumedRun.h"
#include "TrainingObservers.h"
#include "TwoDomainShapes.h"

#include <gtest/gtest.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include <tuple>

namespace graft {
namespace {

class TwoDomainShapes : public ::testing::Test {
protected:
    void SetUp() override { testing::createTwoDomainShapesProject(project(), dir_.path(), 16); }
    std::filesystem::path project() const { return dir_ / "shapes.graft"; }

    TrainingRequest adapting(const std::string& method, int epochs) const {
        TrainingRequest request;
        request.project = project();
        request.config.epochs = epochs;
        request.config.batchSize = 8;
        request.config.learningRate = 3e-3;
        request.config.trainingDomains = "plain";
        request.config.targetDomain = "inverted";
        request.config.domainAdaptation = method;
        return request;
    }

    std::vector<std::tuple<std::string, std::int64_t, double>> metricsOf(std::int64_t run) const {
        return testing::recordedMetrics(project(), run);
    }

    std::vector<std::uint8_t> weightsOf(std::int64_t run, CheckpointKind kind) const {
        Database db = openProject(project(), ProjectAccess::ReadOnly);
        const auto checkpoint = RunStore(db).checkpoint(run, kind);
        return checkpoint ? checkpoint->weights : std::vector<std::uint8_t>{};
    }

    // Every labelled image of the target domain gets the next class name round: nothing a
    // run that never reads them could notice.
    void relabelTheTarget() const {
        Database db = openProject(project());
        ProjectStore store(db);
        const auto classes = store.classSummaries();
        Transaction transaction(db);
        for (const auto& image : inTargetDomain(db, adapting("dann", 1).config, store.labeledImages())) {
            const auto current = std::find_if(classes.begin(), classes.end(), [&](const auto& c) { return c.id == image.classId; });
            const auto next = (std::size_t(current - classes.begin()) + 1) % classes.size();
            store.setLabel(image.sha256, classes[next].id);
        }
        transaction.commit();
    }

    testing::TempDir dir_;
};

using testing::LogLines;
using testing::StopAfterSteps;

TEST_F(TwoDomainShapes, Adaptation_TargetLabelsNeverReachTheLoss) {
    for (const std::string method : {"adabn", "coral", "dann"}) {
        LogLines log;
        const auto request = adapting(method, 1);
        const auto before = runTraining(request, log, {});
        EXPECT_TRUE(log.has("Reading the target domain's images (inverted)")) << method;
        relabelTheTarget();
        TrainObserver quiet;
        const auto after = runTraining(request, quiet, {});
        EXPECT_EQ(metricsOf(before.runId), metricsOf(after.runId)) << method;
        EXPECT_EQ(weightsOf(before.runId, CheckpointKind::Last), weightsOf(after.runId, CheckpointKind::Last)) << method;
        EXPECT_EQ(weightsOf(before.runId, CheckpointKind::Best), weightsOf(after.runId, CheckpointKind::Best)) << method;
    }
    // The check can fail: a run that trains on the target domain's labels sees the change.
    auto leaking = adapting("none", 1);
    leaking.config.trainingDomains = "";
    TrainObserver quiet;
    const auto first = runTraining(leaking, quiet, {});
    relabelTheTarget();
    const auto second = runTraining(leaking, quiet, {});
    EXPECT_NE(metricsOf(first.runId), metricsOf(second.runId));
}

TEST_F(TwoDomainShapes, Dann_StoppedMidEpochResumesOnTheUnbrokenLossCurveWithItsDomainClassifier) {
    TrainObserver quiet;
    auto request = adapting("dann", 2);
    request.config.checkpointMinutes = 0;
    const auto unbroken = runTraining(request, quiet, {});
    StopAfterSteps stopper(5);
    const auto stopped = runTraining(request, stopper, stopper.source.get_token());
    ASSERT_EQ(stopped.status, RunStatus::Cancelled);
    ASSERT_EQ(testing::resumedToTheEnd(project(), stopped.runId).status, RunStatus::Finished);
    const auto a = metricsOf(unbroken.runId), b = metricsOf(stopped.runId);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(std::get<0>(a[i]), std::get<0>(b[i]));
        EXPECT_NEAR(std::get<2>(a[i]), std::get<2>(b[i]), 1e-5) << std::get<0>(a[i]) << " at step " << std::get<1>(a[i]);
    }
    EXPECT_EQ(std::count_if(a.begin(), a.end(), [](const auto& row) { return std::get<0>(row) == "adaptation_loss"; }), 2);
    EXPECT_EQ(weightsOf(unbroken.runId, CheckpointKind::Last), weightsOf(stopped.runId, CheckpointKind::Last));
}

TEST_F(TwoDomainShapes, Coral_TheAlignmentTermChangesTheWeights) {
    TrainObserver quiet;
    auto weighted = adapting("coral", 1);
    auto unweighted = weighted;
    unweighted.config.adaptationWeight = 0;
    const auto a = runTraining(weighted, quiet, {}), b = runTraining(unweighted, quiet, {});
    // Both see the same batches in the same forward passes: only CORAL's gradient sets them apart.
    EXPECT_NE(weightsOf(a.runId, CheckpointKind::Last), weightsOf(b.runId, CheckpointKind::Last));
    Database db = openProject(project(), ProjectAccess::ReadOnly);
    const auto term = RunStore(db).metric(a.runId, "adaptation_loss");
    ASSERT_EQ(term.size(), 1u);
    EXPECT_GT(term.front().value, 0.0);
}

// AdaBN: the first BatchNorm layer of the best checkpoint holds the mean and variance of what its
// convolution makes of the target images; the last checkpoint, which a resume trains on, keeps
// the training images' statistics.
TEST_F(TwoDomainShapes, AdaBn_TheBestCheckpointHoldsTheTargetImagesStatistics) {
    TrainObserver quiet;
    const auto request = adapting("adabn", 1);
    const auto run = runTraining(request, quiet, {});
    auto best = createInitialModel(request.config, 3).model, last = createInitialModel(request.config, 3).model;
    loadAllWeights(*best, weightsOf(run.runId, CheckpointKind::Best), "best");
    loadAllWeights(*last, weightsOf(run.runId, CheckpointKind::Last), "last");

    Database db = openProject(project(), ProjectAccess::ReadOnly);
    ProjectStore store(db);
    const auto spec = architectureSpec(request.config.arch);
    std::vector<torch::Tensor> images;
    for (const auto& sha256 : targetDomainPool(db, request.config))
        images.push_back(preprocessForEval(decodeImage(store.imageBytes(sha256), spec.preprocess.color), spec.preprocess));
    ASSERT_GT(images.size(), 10u);
    torch::NoGradGuard noGrad;
    const auto stem = last->named_modules()["stem"]->as<torch::nn::Sequential>();
    const auto convolved = stem->ptr(0)->as<torch::nn::Conv2d>()->forward(torch::stack(images)).to(torch::kDouble);
    const auto expectedMean = convolved.mean({0, 2, 3});
    const auto expectedVariance = convolved.var({0, 2, 3}, /*unbiased=*/true);
    const auto* adapted = best->named_modules()["stem.1"]->as<torch::nn::BatchNorm2d>();
    const auto* trained = last->named_modules()["stem.1"]->as<torch::nn::BatchNorm2d>();
    EXPECT_TRUE(torch::allclose(adapted->running_mean.to(torch::kDouble), expectedMean, 1e-4, 1e-5));
    EXPECT_TRUE(torch::allclose(adapted->running_var.to(torch::kDouble), expectedVariance, 1e-4, 1e-5));
    EXPECT_FALSE(torch::allclose(trained->running_mean.to(torch::kDouble), expectedMean, 1e-2, 1e-3))
        << "the last checkpoint keeps the plain shapes' statistics";
    // Only statistics differ between the two: AdaBN trains nothing.
    const auto adaptedParameters = best->named_parameters(), trainedParameters = last->named_parameters();
    for (const auto& item : adaptedParameters) EXPECT_TRUE(torch::equal(item.value(), trainedParameters[item.key()])) << item.key();
}

TEST_F(TwoDomainShapes, Adaptation_IsJudgedOnTheTargetDomainsTestImagesAndValidatedOnTheSources) {
    TrainObserver quiet;
    const auto run = runTraining(adapting("coral", 1), quiet, {});
    Database db = openProject(project(), ProjectAccess::ReadOnly);
    ProjectStore store(db);
    DomainStore domains(db);
    std::int64_t targetTest = 0, sourceVal = 0;
    for (const auto& summary : domains.summaries()) {
        if (summary.name == "inverted") targetTest = summary.test;
        if (summary.name == "plain") sourceVal = summary.val;
    }
    ASSERT_GT(targetTest, 0);
    EXPECT_LT(targetTest, std::int64_t(store.labeledImagesInSplit(Split::Test).size()));
    EXPECT_EQ(evaluateRun(project(), run.runId, Split::Test).images, targetTest);
    EXPECT_EQ(evaluateRun(project(), run.runId, Split::Val).images, sourceVal);
}

TEST_F(TwoDomainShapes, Adaptation_ToATrainingDomainIsRefusedBeforeARunIsRecorded) {
    auto request = adapting("dann", 1);
    request.config.trainingDomains = "plain,inverted";
    TrainObserver quiet;
    try {
        runTraining(request, quiet, {});
        FAIL() << "adapted to a domain it trains on";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("the target domain 'inverted' is also a training domain"), std::string::npos)
            << error.what();
    }
    Database db = openProject(project(), ProjectAccess::ReadOnly);
    EXPECT_EQ(db.queryInt("SELECT COUNT(*) FROM runs"), 0);
}

} // namespace
} // namespace graft
