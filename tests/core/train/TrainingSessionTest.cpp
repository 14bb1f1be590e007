#include "common/Error.h"
#include "data/SyntheticShapes.h"
#include "models/Architectures.h"
#include "models/Weights.h"
#include "project/ProjectFile.h"
#include "project/RunStore.h"
#include "train/CheckpointWeights.h"
#include "train/RunEvaluation.h"
#include "train/RunSpec.h"
#include "train/TrainJob.h"
#include "train/TrainingSession.h"

#include "TempDir.h"
#include "ResumedRun.h"
#include "TrainingObservers.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>
#include <tuple>

namespace graft {
namespace {

class ShapesProject : public ::testing::Test {
protected:
    void SetUp() override {
        Database db = createProject(project());
        importSyntheticShapes(db, 50, 3);
    }
    std::filesystem::path project() const { return dir_ / "shapes.graft"; }

    TrainingRequest request(int epochs) const {
        TrainingRequest request;
        request.project = project();
        request.config.epochs = epochs;
        request.config.batchSize = 32;
        request.config.learningRate = 3e-3;
        return request;
    }

    // Trains one epoch and saves its weights, for later runs to start from.
    std::string savedWeights(const std::string& name) const {
        TrainObserver quiet;
        auto pretrain = request(1);
        pretrain.saveWeightsTo = dir_ / name;
        runTraining(pretrain, quiet, {});
        return pretrain.saveWeightsTo.string();
    }

    testing::TempDir dir_;
};

TEST_F(ShapesProject, RunIsRecordedWithEveryStepAndAnEvaluableCheckpoint) {
    TrainObserver quiet;
    const auto result = runTraining(request(2), quiet, {});
    EXPECT_EQ(result.status, RunStatus::Finished);
    EXPECT_EQ(result.trainImages, 120); // 40 of each 50 per class train
    // LibTorch starts with one intra-op thread here; training must use every core.
    EXPECT_EQ(at::get_num_threads(), int(std::thread::hardware_concurrency()));
    ASSERT_TRUE(result.valAccuracy);

    Database db = openProject(project());
    RunStore runs(db);
    const auto record = runs.run(result.runId);
    EXPECT_EQ(record.status, RunStatus::Finished);
    EXPECT_EQ(record.epochsDone, 2);
    EXPECT_EQ(runs.metric(result.runId, "loss").size(), std::size_t(result.steps));
    EXPECT_EQ(runs.checkpoint(result.runId, CheckpointKind::Last)->epoch, 2);
    const auto best = runs.checkpoint(result.runId, CheckpointKind::Best);
    ASSERT_TRUE(best);

    // Evaluating the best checkpoint from scratch reproduces the validation the trainer reported
    // for that epoch.
    const auto evaluation = evaluateRun(project(), result.runId, Split::Val);
    EXPECT_TRUE(evaluation.bestCheckpoint);
    EXPECT_EQ(evaluation.checkpointEpoch, best->epoch);
    EXPECT_EQ(evaluation.images, result.valImages);
    const auto reported = runs.metric(result.runId, "val_accuracy").at(std::size_t(best->epoch - 1));
    EXPECT_EQ(reported.epoch, best->epoch);
    EXPECT_DOUBLE_EQ(evaluation.accuracy, reported.value);
}

TEST_F(ShapesProject, LabelBudgetLimitsTrainingImagesPerClass) {
    auto budget = request(1);
    budget.config.labelsPerClass = 5;
    TrainObserver quiet;
    EXPECT_EQ(runTraining(budget, quiet, {}).trainImages, 15);
}

TEST_F(ShapesProject, MinimumImagesSeenAddsEpochsForASmallLabelBudgetOnly) {
    auto budget = request(1);
    budget.config.labelsPerClass = 5;
    budget.config.minImagesSeen = 40; // 15 images: 3 epochs
    TrainObserver quiet;
    const auto small = runTraining(budget, quiet, {});
    EXPECT_EQ(small.epochsCompleted, 3);
    Database db = openProject(project());
    EXPECT_EQ(RunSpec::fromJson(RunStore(db).run(small.runId).configJson).config.epochs, 3) << "a resumed run keeps them";
    budget.config.labelsPerClass = 0; // 120 images: the one epoch already shows 40
    EXPECT_EQ(runTraining(budget, quiet, {}).epochsCompleted, 1);
}

TEST_F(ShapesProject, ANewHeadLoadsTheBackboneAndStartsOnlyTheHeadAfresh) {
    TrainObserver quiet;
    auto transfer = request(1);
    transfer.config.init = savedWeights("pretrained.pt");
    transfer.config.newHead = true;
    EXPECT_EQ(runTraining(transfer, quiet, {}).initNotes,
              (std::vector<std::string>{"head.weight: started afresh", "head.bias: started afresh"}));
}

TEST_F(ShapesProject, StartingFromSavedWeightsBeginsWithALowerLoss) {
    TrainObserver quiet;
    auto pretrain = request(3);
    pretrain.saveWeightsTo = dir_ / "pretrained.pt";
    const auto scratch = runTraining(pretrain, quiet, {});
    auto transfer = request(1);
    transfer.config.init = (dir_ / "pretrained.pt").string();
    const auto warm = runTraining(transfer, quiet, {});
    EXPECT_TRUE(warm.initNotes.empty());

    Database db = openProject(project());
    RunStore runs(db);
    EXPECT_EQ(runs.run(warm.runId).init, "weights");
    EXPECT_LT(runs.metric(warm.runId, "loss").front().value, 0.5 * runs.metric(scratch.runId, "loss").front().value);
}

TEST_F(ShapesProject, JobRunsOffTheCallingThreadAndStopsOnRequest) {
    class StepWatcher : public TrainObserver {
    public:
        void onStep(const StepEvent&) override {
            threadId = std::this_thread::get_id();
            steps.fetch_add(1);
        }
        std::thread::id threadId;
        std::atomic<int> steps{0};
    } watcher;

    TrainJob job(request(50), watcher);
    while (watcher.steps.load() == 0 && !job.waitFor(std::chrono::milliseconds(10))) {
    }
    job.requestStop();
    const auto result = job.result();
    EXPECT_EQ(result.status, RunStatus::Cancelled);
    EXPECT_NE(watcher.threadId, std::this_thread::get_id());
    EXPECT_LT(result.steps, 50 * 4);

    Database db = openProject(project());
    EXPECT_EQ(RunStore(db).run(result.runId).status, RunStatus::Cancelled);
}

TEST_F(ShapesProject, SameSeedGivesBitIdenticalMetricsInTheProject) {
    TrainObserver quiet;
    auto partlyFrozen = request(2);
    partlyFrozen.config.freeze = "upto:stage1"; // with the feature cache
    const auto first = runTraining(partlyFrozen, quiet, {});
    const auto second = runTraining(partlyFrozen, quiet, {});
    Database db = openProject(project(), ProjectAccess::ReadOnly);
    const auto metricsOf = [&](std::int64_t run) {
        std::vector<std::tuple<std::string, std::int64_t, double>> rows;
        auto query = db.prepare("SELECT name, step, value FROM metrics WHERE run_id = ? AND name NOT LIKE '%\\_seconds' "
                                "ESCAPE '\\' ORDER BY name, step"); // timings differ run to run
        query.bind(1, run);
        while (query.step()) rows.emplace_back(query.columnText(0), query.columnInt(1), query.columnDouble(2));
        return rows;
    };
    const auto a = metricsOf(first.runId), b = metricsOf(second.runId);
    EXPECT_GT(a.size(), 10u);
    EXPECT_EQ(a, b); // exact: no tolerance
}

using testing::StopAfterSteps;

TEST_F(ShapesProject, AStoppedRunResumesWithoutItsInitialWeightsFileAndFinishesInTheSameRecord) {
    TrainObserver quiet;
    auto fromWeights = request(3);
    fromWeights.config.init = savedWeights("start.pt");
    fromWeights.config.checkpointMinutes = 0;
    StopAfterSteps stopper(5); // within epoch 2 (4 steps an epoch)
    const auto stopped = runTraining(fromWeights, stopper, stopper.source.get_token());
    ASSERT_EQ(stopped.status, RunStatus::Cancelled);
    std::filesystem::remove(dir_ / "start.pt");

    const auto resumed = testing::resumedToTheEnd(project(), stopped.runId);
    EXPECT_EQ(resumed.runId, stopped.runId);
    EXPECT_EQ(resumed.status, RunStatus::Finished);
    EXPECT_EQ(resumed.steps, 12);
    Database db = openProject(project());
    RunStore runs(db);
    EXPECT_EQ(runs.metric(stopped.runId, "loss").size(), 12u);
    EXPECT_EQ(runs.run(stopped.runId).status, RunStatus::Finished);
    EXPECT_EQ(db.queryInt("SELECT count(*) FROM runs"), 2) << "resuming must not add a run";
}

// A probe's checkpoints hold its head; the frozen backbone is stored once for every run that
// freezes the same weights, and a checkpoint loads back as the whole trained model.
TEST_F(ShapesProject, ProbeRunsShareOneStoredBackboneAndTheirCheckpointsLoadWhole) {
    TrainObserver quiet;
    auto probe = request(3);
    probe.config.init = savedWeights("start.pt");
    probe.config.freeze = "probe";
    probe.saveWeightsTo = dir_ / "trained.pt";
    const auto first = runTraining(probe, quiet, {});
    auto another = probe;
    another.config.seed = 8;
    another.saveWeightsTo.clear();
    const auto second = runTraining(another, quiet, {});

    Database db = openProject(project());
    EXPECT_EQ(db.queryInt("SELECT count(*) FROM frozen_weights"), 1);
    const auto probes = "run_id IN (" + std::to_string(first.runId) + ", " + std::to_string(second.runId) + ")";
    EXPECT_EQ(db.queryInt("SELECT count(*) FROM checkpoints WHERE " + probes + " AND frozen_sha256 IS NOT NULL"), 4);
    EXPECT_LT(db.queryInt("SELECT max(length(data)) FROM checkpoints WHERE frozen_sha256 IS NOT NULL"),
              db.queryInt("SELECT length(data) FROM frozen_weights") / 4);

    const auto last = RunStore(db).checkpoint(first.runId, CheckpointKind::Last);
    ASSERT_TRUE(last && last->frozen);
    auto model = createClassifier(architectureSpec(probe.config.arch), 3);
    loadCheckpointWeights(*model, *last, "checkpoint");
    std::ifstream saved(probe.saveWeightsTo, std::ios::binary);
    const std::vector<std::uint8_t> trained{std::istreambuf_iterator<char>(saved), {}};
    EXPECT_EQ(serializeWeights(*model), trained) << "the last checkpoint is the finished model, bit for bit";

    db.exec("UPDATE frozen_weights SET data = x'00'");
    try {
        evaluateRun(project(), first.runId, Split::Val);
        FAIL() << "a damaged backbone was loaded";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("frozen blocks' weights"), std::string::npos) << error.what();
    }
}

// Over the input memory budget the images stay encoded and each batch is decoded as it is needed,
// preprocessed exactly as the in-memory tensors: the same run, to 1e-6, whole or frozen up to the
// head (whose features are then computed from the stream), and stopped and resumed.
TEST_F(ShapesProject, ImagesOverTheMemoryBudgetAreDecodedBatchByBatchIntoTheSameRun) {
    for (const auto* freeze : {"none", "probe"}) {
        SCOPED_TRACE(freeze);
        TrainObserver quiet;
        auto inMemory = request(3);
        inMemory.config.freeze = freeze;
        inMemory.config.checkpointMinutes = 0;
        auto streamed = inMemory;
        streamed.config.inputMemoryBudgetBytes = 1;
        const auto whole = runTraining(inMemory, quiet, {});
        testing::LogLines log;
        const auto decoded = runTraining(streamed, log, {});
        EXPECT_TRUE(log.has("decoding them batch by batch")) << "the run was not streamed";
        StopAfterSteps stopper(6); // mid-epoch 2
        const auto stopped = runTraining(streamed, stopper, stopper.source.get_token());
        ASSERT_EQ(stopped.status, RunStatus::Cancelled);
        ASSERT_EQ(testing::resumedToTheEnd(project(), stopped.runId).status, RunStatus::Finished);

        const auto expected = testing::recordedMetrics(project(), whole.runId);
        ASSERT_FALSE(expected.empty());
        for (const auto run : {decoded.runId, stopped.runId}) {
            const auto actual = testing::recordedMetrics(project(), run);
            ASSERT_EQ(actual.size(), expected.size()) << "run " << run;
            for (std::size_t i = 0; i < actual.size(); ++i) {
                EXPECT_EQ(std::get<0>(actual[i]), std::get<0>(expected[i]));
                EXPECT_EQ(std::get<1>(actual[i]), std::get<1>(expected[i]));
                EXPECT_NEAR(std::get<2>(actual[i]), std::get<2>(expected[i]), 1e-6)
                    << "run " << run << ": " << std::get<0>(actual[i]) << " at step " << std::get<1>(actual[i]);
            }
        }
    }
}

// A run that --max-steps ends before it has seen every training image decodes only the batches it
// trains on, as it goes, and they train as the whole run's first steps do.
TEST_F(ShapesProject, ARunEndingWithinItsFirstEpochDecodesOnlyTheBatchesItTrainsOn) {
    TrainObserver quiet;
    auto whole = request(1);
    whole.config.schedule = "constant";
    auto shortRun = whole;
    shortRun.config.maxSteps = 3; // 96 of the 120 training images
    const auto full = runTraining(whole, quiet, {});
    testing::LogLines log;
    const auto stopped = runTraining(shortRun, log, {});
    EXPECT_TRUE(log.has("3 steps see fewer: decoding them batch by batch")) << "every image was decoded first";
    const auto firstLosses = [&](std::int64_t run) {
        std::vector<double> losses;
        for (const auto& [name, step, value] : testing::recordedMetrics(project(), run))
            if (name == "loss" && step <= 3) losses.push_back(value);
        return losses;
    };
    const auto expected = firstLosses(full.runId), actual = firstLosses(stopped.runId);
    ASSERT_EQ(expected.size(), 3u);
    ASSERT_EQ(actual.size(), 3u);
    for (std::size_t i = 0; i < actual.size(); ++i) EXPECT_NEAR(actual[i], expected[i], 1e-6) << "step " << i + 1;
}

// Stopping at `stopAt` and resuming gives the losses of a run never stopped; the resume starts
// at the step after the stop. 4 steps an epoch: step 6 stops mid-epoch 2 (the last checkpoint,
// every 5 minutes, was epoch 1's end), step 4 stops in epoch 1's validation.
class PausedRun : public ShapesProject, public ::testing::WithParamInterface<std::int64_t> {};

TEST_P(PausedRun, ResumesAtTheNextStepAndMatchesAnUnbrokenRun) {
    const std::int64_t stopAt = GetParam();
    TrainObserver quiet;
    const auto unbroken = runTraining(request(3), quiet, {});
    StopAfterSteps stopper(stopAt);
    const auto stopped = runTraining(request(3), stopper, stopper.source.get_token());
    ASSERT_EQ(stopped.status, RunStatus::Cancelled);
    {
        Database db = openProject(project());
        const auto checkpoint = RunStore(db).checkpoint(stopped.runId, CheckpointKind::Last);
        ASSERT_TRUE(checkpoint);
        EXPECT_EQ(checkpoint->step, stopAt) << "checkpointed where it stopped";
    }
    TrainingRequest resume;
    resume.project = project();
    resume.resumeRun = stopped.runId;
    std::vector<std::int64_t> resumedSteps;
    class StepLog : public TrainObserver {
    public:
        explicit StepLog(std::vector<std::int64_t>& steps) : steps_(steps) {}
        void onStep(const StepEvent& event) override { steps_.push_back(event.step); }

    private:
        std::vector<std::int64_t>& steps_;
    } log(resumedSteps);
    ASSERT_EQ(runTraining(resume, log, {}).status, RunStatus::Finished);
    ASSERT_FALSE(resumedSteps.empty());
    EXPECT_EQ(resumedSteps.front(), stopAt + 1);

    Database db = openProject(project());
    RunStore runs(db);
    for (const auto* metric : {"loss", "val_accuracy", "train_loss"}) {
        const auto a = runs.metric(unbroken.runId, metric), b = runs.metric(stopped.runId, metric);
        ASSERT_EQ(a.size(), b.size()) << metric;
        for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].value, b[i].value) << metric << " at step " << a[i].step;
    }
}

INSTANTIATE_TEST_SUITE_P(StopPoints, PausedRun, ::testing::Values(6, 4),
                         [](const auto& info) { return info.param == 6 ? "MidEpoch" : "DuringValidation"; });

TEST_F(ShapesProject, ResumingAfterTheLabelsChangedIsRefusedWithoutWriting) {
    TrainObserver quiet;
    auto config = request(3);
    config.config.checkpointMinutes = 0;
    StopAfterSteps stopper(2);
    const auto stopped = runTraining(config, stopper, stopper.source.get_token());
    ASSERT_EQ(stopped.status, RunStatus::Cancelled);
    {
        Database db = openProject(project());
        db.exec("UPDATE labels SET class_id = (SELECT min(id) FROM classes) WHERE rowid = (SELECT min(rowid) FROM labels "
                "WHERE image IN (SELECT image FROM splits WHERE split = 'train') AND class_id <> (SELECT min(id) FROM classes))");
        ASSERT_EQ(db.changes(), 1);
    }
    TrainingRequest resume;
    resume.project = project();
    resume.resumeRun = stopped.runId;
    try {
        runTraining(resume, quiet, {});
        FAIL() << "the training labels changed";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("other images or labels"), std::string::npos) << error.what();
    }
    Database db = openProject(project());
    EXPECT_EQ(RunStore(db).run(stopped.runId).status, RunStatus::Cancelled);
}

TEST(TrainingSession, ProjectWithoutLabelsIsRejectedByName) {
    testing::TempDir dir;
    createProject(dir / "empty.graft");
    TrainingRequest request;
    request.project = dir / "empty.graft";
    TrainObserver quiet;
    try {
        runTraining(request, quiet, {});
        FAIL();
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("empty.graft"), std::string::npos) << error.what();
    }
}

} // namespace
} // namespace graft
