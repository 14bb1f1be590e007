#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"
#include "project/Schema.h"

#include "TempDir.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace graft {
namespace {

NewRun sampleRun() { return {"single", "tinynet", "scratch", 3, "{}", "0.1.0", "1.13.0", 0, 0}; }

TEST(RunStore, RecordsMetricsAndKeepsTheNewestCheckpointOfEachKind) {
    Database db = openInMemoryProject();
    RunStore runs(db);
    const auto id = runs.beginRun(sampleRun());
    for (int step = 1; step <= 3; ++step) {
        const Metric metrics[] = {{"loss", 1.0 / step}};
        runs.addMetrics(id, step, 1, metrics);
    }
    const Metric epoch[] = {{"train_loss", 0.5}, {"val_accuracy", 0.75}};
    runs.addMetrics(id, 3, 1, epoch);
    const std::vector<std::uint8_t> first = {1}, second = {2, 2}, best = {7}, state = {9, 9, 9};
    runs.saveCheckpoint(id, CheckpointKind::Last, 1, 3, first, state);
    runs.saveCheckpoint(id, CheckpointKind::Best, 1, 3, best);
    runs.saveCheckpoint(id, CheckpointKind::Last, 2, 6, second, state);
    runs.endRun(id, RunStatus::Finished);

    const auto loss = runs.metric(id, "loss");
    ASSERT_EQ(loss.size(), 3u);
    EXPECT_DOUBLE_EQ(loss[2].value, 1.0 / 3);
    const auto record = runs.run(id);
    EXPECT_EQ(record.status, RunStatus::Finished);
    EXPECT_EQ(record.lastStep, 3);
    EXPECT_EQ(record.epochsDone, 1);
    EXPECT_EQ(record.lastValAccuracy, 0.75);
    EXPECT_EQ(db.queryInt("SELECT count(*) FROM checkpoints"), 2);
    EXPECT_EQ(runs.checkpoint(id, CheckpointKind::Last)->weights, second);
    EXPECT_EQ(runs.checkpoint(id, CheckpointKind::Last)->trainingState, state);
    EXPECT_EQ(runs.checkpoint(id, CheckpointKind::Best)->weights, best);
    EXPECT_TRUE(runs.checkpoint(id, CheckpointKind::Best)->trainingState.empty());
}

// A trial without validation images (the demo's: every labelled image trains) still has epochs.
TEST(RunStore, EpochsCountWhetherOrNotTheyWereValidated) {
    Database db = openInMemoryProject();
    RunStore runs(db);
    const auto id = runs.beginRun(sampleRun());
    for (int epoch = 1; epoch <= 2; ++epoch) {
        const Metric trained[] = {{"loss", 1.0}, {"train_loss", 1.0 / epoch}, {"train_accuracy", 0.5}};
        runs.addMetrics(id, 4 * epoch, epoch, trained);
    }
    EXPECT_EQ(runs.run(id).epochsDone, 2);
    EXPECT_FALSE(runs.run(id).lastValAccuracy.has_value());
}

TEST(RunStore, ReopeningARunMarksItRunningAndForgetsMetricsAfterTheCheckpoint) {
    Database db = openInMemoryProject();
    RunStore runs(db);
    const auto id = runs.beginRun(sampleRun());
    for (int step = 1; step <= 5; ++step) {
        const Metric metrics[] = {{"loss", double(step)}};
        runs.addMetrics(id, step, 1, metrics);
    }
    runs.endRun(id, RunStatus::Interrupted, "killed");
    runs.reopenRun(id, 3);
    const auto record = runs.run(id);
    EXPECT_EQ(record.status, RunStatus::Running);
    EXPECT_EQ(record.statusDetail, "");
    EXPECT_EQ(record.endedAt, "");
    EXPECT_EQ(record.lastStep, 3);
    EXPECT_EQ(runs.markDeadRunsInterrupted(), 0) << "the run belongs to this live process now";
}

TEST(RunStore, MarksOnlyRunsWhoseProcessDiedAsInterrupted) {
    Database db = openInMemoryProject();
    RunStore runs(db);
    const auto alive = runs.beginRun(sampleRun());
    const auto dead = runs.beginRun(sampleRun());
    const pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, nullptr, 0);
    db.prepare("UPDATE runs SET pid = ? WHERE id = ?").bind(1, std::int64_t(child)).bind(2, dead).run();

    EXPECT_EQ(runs.markDeadRunsInterrupted(), 1);
    EXPECT_EQ(runs.run(alive).status, RunStatus::Running);
    EXPECT_EQ(runs.run(dead).status, RunStatus::Interrupted);
}

// A SIGKILLed process whose parent has not reaped it yet is a zombie: dead, though kill(pid, 0) succeeds.
TEST(RunStore, TreatsAnUnreapedKilledProcessAsDead) {
    Database db = openInMemoryProject();
    RunStore runs(db);
    const auto id = runs.beginRun(sampleRun());
    const pid_t child = fork();
    if (child == 0) _exit(0);
    // Wait for the child to exit without reaping it.
    siginfo_t info{};
    waitid(P_PID, id_t(child), &info, WEXITED | WNOWAIT);
    db.prepare("UPDATE runs SET pid = ? WHERE id = ?").bind(1, std::int64_t(child)).bind(2, id).run();

    EXPECT_EQ(runs.markDeadRunsInterrupted(), 1);
    EXPECT_EQ(runs.run(id).status, RunStatus::Interrupted);
    waitpid(child, nullptr, 0);
}

// A live process that merely reuses a dead run's pid does not keep the run "running".
TEST(RunStore, TreatsAReusedPidAsDead) {
    Database db = openInMemoryProject();
    RunStore runs(db);
    const auto id = runs.beginRun(sampleRun());
    db.prepare("UPDATE runs SET process_start = process_start - 1 WHERE id = ?").bind(1, id).run();
    EXPECT_EQ(runs.markDeadRunsInterrupted(), 1);
}

TEST(RunStore, HeldOutResultReplacesTheRunsErrorsAndGoesWithItsImages) {
    Database db = openInMemoryProject();
    ProjectStore store(db);
    std::vector<std::string> images;
    for (std::uint8_t byte = 1; byte <= 3; ++byte) images.push_back(store.addImage({{byte}, 1, 1, 1, "x.png"}).sha256);
    RunStore runs(db);
    const auto id = runs.beginRun(sampleRun());
    const Misclassification first[] = {{images[0], "cat", "dog"}, {images[1], "dog", "cat"}};
    runs.recordHeldOutResult(id, std::vector<Metric>{{"heldout_accuracy", 0.5}, {"heldout_ece", 0.1}}, first);
    const Misclassification second[] = {{images[2], "cat", "bird"}};
    runs.recordHeldOutResult(id, std::vector<Metric>{{"heldout_accuracy", 0.75}, {"heldout_ece", 0.2}}, second);

    const auto errors = runs.heldOutErrors(id);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].image, images[2]);
    EXPECT_EQ(errors[0].predicted, "bird");
    const auto accuracy = runs.metric(id, "heldout_accuracy");
    ASSERT_EQ(accuracy.size(), 1u);
    EXPECT_EQ(accuracy[0].value, 0.75);
    EXPECT_EQ(runs.metric(id, "heldout_ece").at(0).value, 0.2);
    db.prepare("DELETE FROM images WHERE sha256 = ?").bind(1, images[2]).run();
    EXPECT_TRUE(runs.heldOutErrors(id).empty());
}

TEST(RunStore, UnknownRunIsAnErrorNamingTheId) {
    Database db = openInMemoryProject();
    try {
        RunStore(db).run(42);
        FAIL();
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("42"), std::string::npos);
    }
}

TEST(RunStore, FrozenWeightsAreStoredOnceAndGoWhenNoCheckpointRefersToThem) {
    Database db = openInMemoryProject();
    RunStore runs(db);
    const auto first = runs.beginRun(sampleRun()), second = runs.beginRun(sampleRun());
    const FrozenWeights backbone{"aa", {1, 2, 3}}, smaller{"bb", {4, 5}};
    const std::vector<std::uint8_t> head = {7};
    runs.saveCheckpoint(first, CheckpointKind::Last, 1, 4, head, {}, &backbone);
    runs.saveCheckpoint(first, CheckpointKind::Best, 1, 4, head, {}, &backbone);
    runs.saveCheckpoint(second, CheckpointKind::Last, 1, 4, head, {}, &backbone);
    EXPECT_EQ(db.queryInt("SELECT count(*) FROM frozen_weights"), 1) << "three checkpoints share one copy";
    const auto loaded = runs.checkpoint(second, CheckpointKind::Last);
    ASSERT_TRUE(loaded && loaded->frozen);
    EXPECT_EQ(loaded->weights, head);
    EXPECT_EQ(loaded->frozen->sha256, "aa");
    EXPECT_EQ(loaded->frozen->weights, backbone.weights);

    // Gradual unfreezing: fewer frozen blocks, another part; the first stays while others use it.
    runs.saveCheckpoint(first, CheckpointKind::Last, 2, 8, head, {}, &smaller);
    runs.saveCheckpoint(first, CheckpointKind::Best, 2, 8, head, {}, &smaller);
    EXPECT_EQ(db.queryInt("SELECT count(*) FROM frozen_weights"), 2) << "run 2 still refers to the first part";
    runs.saveCheckpoint(second, CheckpointKind::Last, 2, 8, head);
    auto remaining = db.prepare("SELECT sha256 FROM frozen_weights");
    ASSERT_TRUE(remaining.step());
    EXPECT_EQ(remaining.columnText(0), "bb");
    EXPECT_FALSE(remaining.step());
    EXPECT_FALSE(runs.checkpoint(second, CheckpointKind::Last)->frozen) << "a checkpoint with every tensor";
}

TEST(RunStore, ACheckpointWrittenBeforeFrozenWeightsExistedStillLoadsWhole) {
    testing::TempDir dir;
    const auto path = dir / "old.graft";
    std::int64_t runId = 0;
    const std::vector<std::uint8_t> weights = {1, 2, 3, 4};
    {
        Database db(path.string(), Database::Mode::Create);
        db.exec("PRAGMA application_id = " + std::to_string(kGraftApplicationId));
        migrateTo(db, 8); // the schema before frozen weights
        runId = RunStore(db).beginRun(sampleRun());
        db.prepare("INSERT INTO checkpoints(run_id, kind, epoch, step, data) VALUES(?, 'last', 2, 8, ?)").bind(1, runId).bindBlob(2, weights).run();
    }
    Database db = openProject(path);
    EXPECT_EQ(db.queryInt("PRAGMA user_version"), latestSchemaVersion());
    const auto checkpoint = RunStore(db).checkpoint(runId, CheckpointKind::Last);
    ASSERT_TRUE(checkpoint);
    EXPECT_EQ(checkpoint->weights, weights);
    EXPECT_EQ(checkpoint->step, 8);
    EXPECT_FALSE(checkpoint->frozen);
}

} // namespace
} // namespace graft
