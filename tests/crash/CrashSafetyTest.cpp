// Kills graft-cli with SIGKILL at random moments of labelling, importing, training, running an
// experiment and suggesting images to label, and checks after every kill that the project is intact: SQLite's integrity and
// foreign-key checks pass, everything graft-cli acknowledged is there, interrupted runs are marked
// and resumable, and no half-written rows remain. GRAFT_CRASH_KILLS (default 25) sets the kills
// per scenario and GRAFT_CRASH_SEED the random kill times.
#include "common/Sha256.h"
#include "data/SyntheticShapes.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"
#include "project/TaskStore.h"
#include "train/TrainingState.h"

#include "KilledProcess.h"
#include "ProjectConsistency.h"
#include "ShapesFolder.h"
#include "ShapesProject.h"
#include "TempDir.h"
#include "TwoDomainShapes.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>

namespace graft {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono;
using testing::consistencyProblems;
using testing::KilledProcessResult;
using testing::runAndKillAfter;

int killsPerScenario() {
    const char* text = std::getenv("GRAFT_CRASH_KILLS");
    return text ? std::max(1, std::atoi(text)) : 25;
}

std::uint32_t crashSeed() {
    const char* text = std::getenv("GRAFT_CRASH_SEED");
    return text ? std::uint32_t(std::strtoul(text, nullptr, 10)) : 20261123u;
}

// Kill times for an operation whose middle is what matters. graft-cli's start-up varies by a
// tenth of a second or more on a busy machine, as much as an operation's middle lasts, so a
// fixed draw can miss it every time. Each kill that came too early moves the window later, each
// that came too late moves it earlier, and one that landed mid-way narrows it there.
class KillWindow {
public:
    KillWindow(microseconds earliest, microseconds latest)
        : centre_((earliest + latest) / 2), halfWidth_((latest - earliest) / 2) {}
    microseconds draw(std::mt19937& random) const {
        const auto low = std::max<std::int64_t>(0, (centre_ - halfWidth_).count());
        return microseconds(std::uniform_int_distribution<std::int64_t>(low, (centre_ + halfWidth_).count())(random));
    }
    void tooEarly() { centre_ += halfWidth_ / 4; }
    void tooLate() { centre_ -= halfWidth_ / 4; }
    void midway() { halfWidth_ = std::max(halfWidth_ * 3 / 4, microseconds(milliseconds(50))); }

private:
    microseconds centre_, halfWidth_;
};

class CrashSafety : public ::testing::Test {
protected:
    fs::path pristine() const { return dir_ / "pristine.graft"; }
    fs::path work() const { return dir_ / "work.graft"; }

    // A fresh copy of the pristine project, as the next kill's victim.
    void resetWork() {
        for (const char* suffix : {"", "-wal", "-shm", "-lock"}) fs::remove(work().string() + suffix);
        fs::copy_file(pristine(), work());
    }

    KilledProcessResult runCli(const std::vector<std::string>& arguments, microseconds delay) {
        return runAndKillAfter(GRAFT_CLI, arguments, delay);
    }

    // How long the command takes when nobody kills it; kill times are drawn below that.
    microseconds timeUnkilled(const std::vector<std::string>& arguments) {
        resetWork();
        const auto started = steady_clock::now();
        const auto result = runCli(arguments, minutes(10));
        EXPECT_FALSE(result.killed);
        EXPECT_EQ(result.exitCode, 0) << "graft-cli failed without being killed";
        return duration_cast<microseconds>(steady_clock::now() - started);
    }

    // The command's working life: from most of graft-cli's start-up (loading LibTorch, which
    // touches no project) to when it would have ended.
    KillWindow workingLife(microseconds unkilled) {
        if (startup_.count() == 0) {
            const auto started = steady_clock::now();
            runCli({"--version"}, minutes(1));
            startup_ = duration_cast<microseconds>(steady_clock::now() - started);
        }
        return KillWindow(microseconds(std::min(startup_.count() * 8 / 10, unkilled.count() / 2)), unkilled);
    }
    microseconds killTime(microseconds unkilled) { return workingLife(unkilled).draw(random_); }

    // Opens the killed process's project for writing, which marks its runs interrupted, and
    // checks SQLite's and Graft's invariants.
    int killedMidEpochResumesOnTheUnbrokenCurve(const std::vector<std::string>& command);
    void labellingKilledKeepsEveryAcknowledgedBatchWhole(const std::optional<std::string>& task);

    void expectConsistent(int kill) {
        Database db = openProject(work());
        EXPECT_EQ(consistencyProblems(db), std::vector<std::string>{}) << "after kill " << kill;
        EXPECT_EQ(db.queryInt("SELECT COUNT(*) FROM runs WHERE status = 'running'"), 0) << "after kill " << kill;
    }

    testing::TempDir dir_;
    std::mt19937 random_{crashSeed()};
    microseconds startup_{0};
    int midwayKills_ = 0; // kills that landed after the first acknowledged step and before the end
};

// `task`: the labels go to this second task, and the first task's must stay as they were.
void CrashSafety::labellingKilledKeepsEveryAcknowledgedBatchWhole(const std::optional<std::string>& task) {
    constexpr int kBatch = 10;
    std::vector<std::pair<std::string, std::string>> labels; // image, new class
    {
        Database db = createProject(pristine());
        importSyntheticShapes(db, 100, 1);
        int index = 0;
        for (const auto& image : ProjectStore(db).catalog()) labels.emplace_back(image.sha256, "class" + std::to_string(index++ % 4));
    }
    const auto firstTaskLabels = [](Database& db) {
        return db.queryInt("SELECT count(*) FROM labels WHERE task_id = " + std::to_string(kFirstTask));
    };
    std::int64_t firstTaskBefore = 0;
    {
        Database db = openProject(pristine(), ProjectAccess::ReadOnly);
        firstTaskBefore = firstTaskLabels(db);
    }
    const auto csv = dir_ / "labels.csv";
    {
        std::ofstream file(csv);
        for (const auto& [image, name] : labels) file << image << "," << name << "\n";
    }
    std::vector<std::string> command = {"label", work().string(), csv.string(), "--batch", std::to_string(kBatch), "--json"};
    if (task) command.insert(command.end(), {"--task", *task});
    timeUnkilled(command);

    std::int64_t acknowledgedChecked = 0;
    for (int kill = 0; kill < killsPerScenario(); ++kill) {
        resetWork();
        // Killed at a random batch, a random moment into it: start-up alone outlasts all batches.
        const auto afterBatches = std::uniform_int_distribution<std::size_t>(0, labels.size() / kBatch - 1)(random_);
        const auto result = runAndKillAfter(GRAFT_CLI, command, microseconds(std::uniform_int_distribution<int>(0, 3000)(random_)),
                                            afterBatches);
        std::int64_t acknowledged = 0;
        for (const auto& line : result.lines) acknowledged = nlohmann::json::parse(line).at("labelled").get<std::int64_t>();
        if (acknowledged > 0 && acknowledged < std::int64_t(labels.size())) ++midwayKills_;
        expectConsistent(kill);

        Database db = openProject(work(), ProjectAccess::ReadOnly);
        std::map<std::string, std::string> inFile;
        auto rows = db.prepare("SELECT l.image, c.name FROM labels l JOIN classes c ON c.id = l.class_id "
                               "JOIN tasks t ON t.id = l.task_id WHERE t.name = ?");
        rows.bind(1, task ? *task : TaskStore(db).name(kFirstTask));
        while (rows.step()) inFile[rows.columnText(0)] = rows.columnText(1);
        // Batches commit in order and whole: the relabelled images are a prefix of the file's
        // lines, a whole number of batches long, holding every acknowledged one and at most one more
        // batch (committed, then killed before saying so).
        std::size_t relabelled = 0;
        while (relabelled < labels.size() && inFile[labels[relabelled].first] == labels[relabelled].second) ++relabelled;
        for (std::size_t i = relabelled; i < labels.size(); ++i)
            EXPECT_NE(inFile[labels[i].first], labels[i].second) << "line " << i << " written out of order, kill " << kill;
        EXPECT_TRUE(relabelled % kBatch == 0 || relabelled == labels.size()) << relabelled << " labels: a batch was split";
        EXPECT_GE(std::int64_t(relabelled), acknowledged) << "acknowledged labels lost at kill " << kill;
        EXPECT_LE(std::int64_t(relabelled), acknowledged + kBatch) << "kill " << kill;
        acknowledgedChecked += acknowledged;
        if (task) {
            EXPECT_EQ(firstTaskLabels(db), firstTaskBefore) << "the first task's labels changed at kill " << kill;
        }
    }
    EXPECT_GE(midwayKills_, killsPerScenario() / 2) << "too few kills landed between the first and the last batch";
    std::cout << "[ crash ] labelling" << (task ? " task " + *task : std::string()) << ": " << killsPerScenario() << " kills (" << midwayKills_ << " mid-way), "
              << acknowledgedChecked << " acknowledged labels checked, none lost\n";
}

TEST_F(CrashSafety, KilledWhileLabellingKeepsEveryAcknowledgedBatchWhole) { labellingKilledKeepsEveryAcknowledgedBatchWhole(std::nullopt); }

TEST_F(CrashSafety, KilledWhileLabellingASecondTaskKeepsEveryAcknowledgedBatchAndTheFirstTasksLabels) {
    labellingKilledKeepsEveryAcknowledgedBatchWhole("severity");
}

TEST_F(CrashSafety, KilledWhileImportingLeavesWholeChunksThatASecondImportCompletes) {
    // 2100 images: commits at 1000 and 2000, then the rest. At 64 px the middle chunk takes far
    // longer than graft-cli's start-up varies (about 0.1 s), so kills can land between commits.
    testing::writeShapesFolder(dir_ / "shapes", 700, 3, 64);
    createProject(pristine());
    const std::vector<std::string> command = {"import", work().string(), (dir_ / "shapes").string(), "--json"};
    auto window = workingLife(timeUnkilled(command));

    for (int kill = 0; kill < killsPerScenario(); ++kill) {
        resetWork();
        runCli(command, window.draw(random_));
        expectConsistent(kill);
        std::int64_t images = 0;
        {
            Database db = openProject(work(), ProjectAccess::ReadOnly);
            images = ProjectStore(db).imageCount();
        }
        EXPECT_TRUE(images == 0 || images == 1000 || images == 2000 || images == 2100) << images << " images after kill " << kill;
        if (images == 0) window.tooEarly();
        if (images == 2100) window.tooLate();
        if (images == 1000 || images == 2000) {
            window.midway();
            ++midwayKills_;
        }
        // Importing the folder again adds exactly what the killed import had not committed.
        const auto again = runCli(command, minutes(10));
        EXPECT_EQ(again.exitCode, 0) << "re-import after kill " << kill;
        Database db = openProject(work());
        EXPECT_EQ(ProjectStore(db).imageCount(), 2100) << "after kill " << kill;
        EXPECT_EQ(consistencyProblems(db), std::vector<std::string>{}) << "after re-importing, kill " << kill;
    }
    EXPECT_GE(midwayKills_, std::max(1, killsPerScenario() / 10)) << "too few kills landed between two commits";
    std::cout << "[ crash ] importing: " << killsPerScenario() << " kills (" << midwayKills_
              << " between chunks), every one completed by a second import\n";
}

// After a kill: a run left behind is marked interrupted, and one with a checkpoint carries a
// training state that parses, which is what resuming needs. Counts the resumable ones.
int checkInterruptedRuns(const fs::path& project, int kill) {
    Database db = openProject(project);
    RunStore runs(db);
    int resumable = 0;
    for (const auto& run : runs.runs()) {
        EXPECT_NE(run.status, RunStatus::Running) << "run " << run.id << " after kill " << kill;
        if (run.status != RunStatus::Interrupted) continue;
        const auto checkpoint = runs.checkpoint(run.id, CheckpointKind::Last);
        if (!checkpoint) continue;
        EXPECT_FALSE(checkpoint->weights.empty());
        EXPECT_NO_THROW(TrainingState::fromBytes(checkpoint->trainingState)) << "run " << run.id << " after kill " << kill;
        ++resumable;
    }
    return resumable;
}

TEST_F(CrashSafety, KilledWhileTrainingLeavesAnInterruptedRunThatResumesToTheEnd) {
    testing::createShapesProject(pristine(), 20, 5);
    const std::vector<std::string> command = {"train", work().string(), "--epochs", "4", "--batch-size", "8",
                                              "--checkpoint-minutes", "0", "--json"};
    const auto unkilled = timeUnkilled(command);

    int resumable = 0, resumed = 0;
    for (int kill = 0; kill < killsPerScenario(); ++kill) {
        resetWork();
        runCli(command, killTime(unkilled));
        expectConsistent(kill);
        const int found = checkInterruptedRuns(work(), kill);
        resumable += found;
        // Resuming takes seconds, so every fifth resumable kill is resumed to the end.
        if (found == 1 && resumable % 5 == 1) {
            const auto after = runCli({"train", work().string(), "--resume", "1", "--json"}, minutes(10));
            EXPECT_EQ(after.exitCode, 0) << "resuming after kill " << kill;
            Database db = openProject(work(), ProjectAccess::ReadOnly);
            EXPECT_EQ(RunStore(db).run(1).status, RunStatus::Finished) << "resumed after kill " << kill;
            ++resumed;
        }
    }
    EXPECT_GT(resumable, 0) << "no kill landed after a checkpoint; the kill times are too early";
    std::cout << "[ crash ] training: " << killsPerScenario() << " kills, " << resumable
              << " left a resumable run, " << resumed << " resumed to the end\n";
}

// Runs `command` (a 3-epoch training run of the work project) unkilled, then kills it at random
// until three kills have landed mid-epoch after a checkpoint, resuming each: the resumed loss curve
// must be the unbroken run's. Returns how many were resumed.
int CrashSafety::killedMidEpochResumesOnTheUnbrokenCurve(const std::vector<std::string>& command) {
    const auto unkilled = timeUnkilled(command);
    const auto lossesOf = [&] {
        Database db = openProject(work(), ProjectAccess::ReadOnly);
        return RunStore(db).metric(1, "loss");
    };
    const auto unbroken = lossesOf();
    EXPECT_GT(unbroken.size(), 6u);
    const std::int64_t stepsPerEpoch = std::int64_t(unbroken.size()) / 3;

    int midEpochResumes = 0;
    auto window = workingLife(unkilled);
    for (int kill = 0; kill < killsPerScenario() && midEpochResumes < 3; ++kill) {
        resetWork();
        const auto killed = runCli(command, window.draw(random_));
        if (!killed.killed) {
            window.tooLate();
            continue;
        }
        expectConsistent(kill);
        std::int64_t checkpointStep = 0;
        {
            Database db = openProject(work(), ProjectAccess::ReadOnly);
            const auto checkpoint = RunStore(db).checkpoint(1, CheckpointKind::Last);
            if (checkpoint) checkpointStep = checkpoint->step;
        }
        if (checkpointStep == 0) {
            window.tooEarly();
            continue;
        }
        window.midway();
        if (checkpointStep % stepsPerEpoch == 0) continue; // an epoch's end: the supervised scenario covers it
        const auto after = runCli({"train", work().string(), "--resume", "1", "--json"}, minutes(10));
        EXPECT_EQ(after.exitCode, 0) << "resuming after kill " << kill;
        const auto resumed = lossesOf();
        EXPECT_EQ(resumed.size(), unbroken.size()) << "after kill " << kill;
        for (std::size_t i = 0; i < std::min(resumed.size(), unbroken.size()); ++i)
            EXPECT_NEAR(resumed[i].value, unbroken[i].value, 1e-5) << "step " << unbroken[i].step << " after a kill at step " << checkpointStep;
        ++midEpochResumes;
    }
    return midEpochResumes;
}

// FixMatch draws unlabelled batches beside the labelled ones; a run killed mid-epoch and resumed
// must draw the same ones, so its loss curve is the unbroken run's.
TEST_F(CrashSafety, ASemiSupervisedRunKilledMidEpochResumesOnTheUnbrokenLossCurve) {
    testing::createShapesProject(pristine(), 20, 5);
    testing::unlabelHalfTheTrainingImages(pristine());
    const int resumed = killedMidEpochResumesOnTheUnbrokenCurve(
        {"train", work().string(), "--epochs", "3", "--batch-size", "8", "--semi-supervised", "fixmatch", "--unlabelled-ratio", "2",
         "--threshold", "0.6", "--ema", "0.9", "--checkpoint-minutes", "0", "--json"});
    EXPECT_GT(resumed, 0) << "no kill landed mid-epoch";
    std::cout << "[ crash ] semi-supervised: " << resumed << " mid-epoch kills resumed onto the unbroken curve\n";
}

// DANN draws target batches and trains a domain classifier beside the model; both must come back.
TEST_F(CrashSafety, ADannRunKilledMidEpochResumesOnTheUnbrokenLossCurve) {
    testing::createTwoDomainShapesProject(pristine(), dir_.path() / "folders", 12);
    const int resumed = killedMidEpochResumesOnTheUnbrokenCurve(
        {"train", work().string(), "--epochs", "3", "--batch-size", "8", "--training-domains", "plain", "--target-domain", "inverted",
         "--adapt", "dann", "--checkpoint-minutes", "0", "--json"});
    EXPECT_GT(resumed, 0) << "no kill landed mid-epoch";
    std::cout << "[ crash ] DANN: " << resumed << " mid-epoch kills resumed onto the unbroken curve\n";
}

TEST_F(CrashSafety, KilledWhileRunningAnExperimentLeavesTrialsThatARerunCompletes) {
    testing::createShapesProject(pristine(), 12, 6);
    const auto weights = dir_ / "start.pt";
    resetWork();
    ASSERT_EQ(runCli({"train", work().string(), "--epochs", "1", "--save-weights", weights.string()}, minutes(10)).exitCode, 0);
    const auto spec = dir_ / "experiment.json";
    std::ofstream(spec) << nlohmann::json{
        {"name", "crash"}, {"seeds", 2}, {"budgets", {4}}, {"baseline", "scratch"},
        {"arms", {{{"name", "transfer"}, {"train", {{"init", weights.string()}, {"epochs", 2}, {"batchSize", 8}}}},
                  {{"name", "scratch"}, {"train", {{"epochs", 2}, {"batchSize", 8}}}}}}};
    const std::vector<std::string> command = {"experiment", "run", work().string(), spec.string(), "--json"};
    auto window = workingLife(timeUnkilled(command));

    int resumable = 0, defined = 0, rerun = 0;
    for (int kill = 0; kill < killsPerScenario(); ++kill) {
        resetWork();
        runCli(command, window.draw(random_));
        expectConsistent(kill);
        const int found = checkInterruptedRuns(work(), kill);
        resumable += found;
        std::int64_t experiments = 0, finished = 0;
        {
            Database db = openProject(work(), ProjectAccess::ReadOnly);
            experiments = db.queryInt("SELECT COUNT(*) FROM experiments");
            finished = db.queryInt("SELECT COUNT(*) FROM runs WHERE status = 'finished'");
        }
        if (experiments == 0) window.tooEarly();
        else if (finished == 4) window.tooLate();
        else window.midway();
        // Re-running takes seconds: the first kill that left the experiment defined, then every tenth.
        if (experiments == 1 && defined++ % 10 == 0) {
            const auto after = runCli({"experiment", "run", work().string(), "1", "--json"}, minutes(10));
            EXPECT_EQ(after.exitCode, 0) << "re-running after kill " << kill;
            Database db = openProject(work(), ProjectAccess::ReadOnly);
            EXPECT_EQ(db.queryInt("SELECT COUNT(DISTINCT arm || seed) FROM runs JOIN metrics ON run_id = id "
                                  "WHERE experiment_id = 1 AND status = 'finished' AND name = 'heldout_accuracy'"),
                      4)
                << "every trial finished and evaluated after kill " << kill;
            ++rerun;
        }
    }
    EXPECT_GT(resumable, 0) << "no kill left an interrupted trial with a checkpoint";
    EXPECT_GT(rerun, 0) << "no kill left a defined experiment to run again";
    std::cout << "[ crash ] experiment: " << killsPerScenario() << " kills, " << resumable
              << " interrupted trials resumable, " << rerun << " re-runs completed every trial\n";
}

// A labelling simulation stores each round's picks in one transaction before the trial that trains
// on them: a kill leaves rounds whole or absent, and a rerun picks what an unkilled run picks.
TEST_F(CrashSafety, KilledWhileSimulatingLabellingLeavesWholeRoundsThatARerunCompletes) {
    testing::createShapesProject(pristine(), 12, 6);
    const auto weights = dir_ / "start.pt";
    resetWork();
    ASSERT_EQ(runCli({"train", work().string(), "--epochs", "1", "--save-weights", weights.string()}, minutes(10)).exitCode, 0);
    const auto spec = dir_ / "simulation.json";
    std::ofstream(spec) << nlohmann::json{
        {"name", "crash"}, {"seeds", 1},
        {"simulation", {{"strategies", {"random", "typical", "uncertain"}}, {"perRound", 3}, {"rounds", 2}}},
        {"recipe", {{"init", weights.string()}, {"epochs", 2}, {"batchSize", 8}}}};
    const std::vector<std::string> command = {"experiment", "run", work().string(), spec.string(), "--json"};
    const std::string picksQuery =
        "SELECT group_concat(strategy || ' ' || round || ' ' || image, ',') FROM "
        "(SELECT * FROM labelling_picks WHERE strategy != 'uncertain' ORDER BY strategy, round, position)";
    auto window = workingLife(timeUnkilled(command));
    std::string unkilledPicks;
    {
        Database db = openProject(work(), ProjectAccess::ReadOnly);
        auto query = db.prepare(picksQuery);
        ASSERT_TRUE(query.step());
        unkilledPicks = query.columnText(0);
    }
    ASSERT_FALSE(unkilledPicks.empty());

    int defined = 0, rerun = 0, partial = 0;
    for (int kill = 0; kill < killsPerScenario(); ++kill) {
        resetWork();
        runCli(command, window.draw(random_));
        expectConsistent(kill);
        checkInterruptedRuns(work(), kill);
        std::int64_t experiments = 0, finished = 0, brokenRounds = 0, rounds = 0;
        {
            Database db = openProject(work(), ProjectAccess::ReadOnly);
            experiments = db.queryInt("SELECT COUNT(*) FROM experiments");
            finished = db.queryInt("SELECT COUNT(*) FROM runs WHERE status = 'finished' AND experiment_id = 1");
            brokenRounds = db.queryInt("SELECT COUNT(*) FROM (SELECT COUNT(*) AS n FROM labelling_picks "
                                       "GROUP BY strategy, seed, round HAVING n != 3)");
            rounds = db.queryInt("SELECT COUNT(DISTINCT strategy || round) FROM labelling_picks");
        }
        EXPECT_EQ(brokenRounds, 0) << "a round's picks are all there or none after kill " << kill;
        partial += rounds > 0 && rounds < 6 ? 1 : 0;
        if (experiments == 0) window.tooEarly();
        else if (finished == 6) window.tooLate();
        else window.midway();
        if (experiments == 1 && defined++ % 10 == 0) {
            const auto after = runCli({"experiment", "run", work().string(), "1", "--json"}, minutes(10));
            EXPECT_EQ(after.exitCode, 0) << "re-running after kill " << kill;
            Database db = openProject(work(), ProjectAccess::ReadOnly);
            EXPECT_EQ(db.queryInt("SELECT COUNT(DISTINCT arm || labels_per_class) FROM runs JOIN metrics ON run_id = id "
                                  "WHERE experiment_id = 1 AND status = 'finished' AND name = 'heldout_accuracy'"),
                      6)
                << "every round of every strategy trained and evaluated after kill " << kill;
            auto query = db.prepare(picksQuery);
            ASSERT_TRUE(query.step());
            EXPECT_EQ(query.columnText(0), unkilledPicks) << "the picks an unkilled run makes, after kill " << kill;
            ++rerun;
        }
    }
    EXPECT_GT(partial, 0) << "no kill landed between the first round's picks and the last";
    EXPECT_GT(rerun, 0) << "no kill left a defined simulation to run again";
    std::cout << "[ crash ] simulation: " << killsPerScenario() << " kills, " << partial << " left some rounds picked, "
              << rerun << " re-runs completed every round\n";
}

// Suggestions only read the project: a kill during the feature pass or the selection leaves the
// file as it was, and a rerun gives the suggestions an unkilled run gives.
TEST_F(CrashSafety, KilledWhileSuggestingLeavesTheProjectAsItWasAndARerunSuggestsTheSame) {
    testing::createShapesProject(pristine(), 20, 5);
    {
        Database db = openProject(pristine());
        ProjectStore store(db);
        for (const auto& image : generateShapes(30, 9)) store.addImage({image.png, 28, 28, 1, "loose-" + image.label + ".png"});
    }
    ASSERT_EQ(runCli({"train", pristine().string(), "--epochs", "1", "--json"}, minutes(10)).exitCode, 0);
    // The file as a writer leaves it after opening and closing it: anything a killed process left
    // in the log would be checkpointed into it the same way.
    const auto settled = [&] {
        { Database db = openProject(work()); }
        return fileSha256Hex(work());
    };
    resetWork();
    const std::string before = settled();
    const std::vector<std::string> command = {"suggest", work().string(), "--run", "1", "--strategy", "typical", "--count", "20", "--json"};
    const auto unkilled = timeUnkilled(command);
    resetWork();
    const auto expected = runCli(command, minutes(10)).lines;

    const int kills = std::min(killsPerScenario(), 8); // each rerun takes seconds
    for (int kill = 0; kill < kills; ++kill) {
        resetWork();
        runCli(command, killTime(unkilled));
        expectConsistent(kill);
        EXPECT_EQ(settled(), before) << "after kill " << kill;
        EXPECT_EQ(runCli(command, minutes(10)).lines, expected) << "rerun after kill " << kill;
    }
}

} // namespace
} // namespace graft
