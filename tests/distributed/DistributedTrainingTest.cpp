// Data-parallel runs of graft-cli over c10d (Gloo on localhost), at world sizes 2 and 3, against
// one process training the same global batch; and what happens to bad launches and dead ranks.
#include "models/Classifier.h"
#include "project/Database.h"
#include "project/ProjectFile.h"
#include "project/RunStore.h"
#include "train/RunModel.h"

#include "FreePort.h"
#include "ProjectConsistency.h"
#include "ShapesProject.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

extern char** environ;

namespace graft {
namespace {

using testing::TempDir;
using testing::freePort;
using namespace std::chrono_literals;

// One graft-cli process of a job, its output in files.
struct Rank {
    pid_t pid = -1;
    std::filesystem::path out, err;
    int exitCode = -1;

    // Waits up to `limit`; false when it was still running (then killed).
    bool wait(std::chrono::seconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        int status = 0;
        while (waitpid(pid, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                return false;
            }
            std::this_thread::sleep_for(20ms);
        }
        exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return true;
    }
    std::string errors() const { return testing::readFile(err); }
};

Rank startRank(const TempDir& dir, const std::string& name, const std::vector<std::string>& arguments,
               const std::map<std::string, std::string>& variables) {
    std::vector<std::string> environment;
    for (char** variable = environ; *variable; ++variable) {
        const std::string entry = *variable;
        if (!variables.count(entry.substr(0, entry.find('=')))) environment.push_back(entry);
    }
    for (const auto& [key, value] : variables) environment.push_back(key + "=" + value);
    std::vector<char*> envp, argv = {const_cast<char*>(GRAFT_CLI)};
    for (auto& entry : environment) envp.push_back(entry.data());
    envp.push_back(nullptr);
    for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    Rank rank;
    rank.out = dir / (name + ".out");
    rank.err = dir / (name + ".err");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, rank.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, rank.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int error = posix_spawn(&rank.pid, GRAFT_CLI, &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) throw std::runtime_error("cannot start graft-cli");
    return rank;
}

std::map<std::string, std::string> torchrunVariables(int port, int rank, int worldSize) {
    return {{"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", std::to_string(port)}, {"RANK", std::to_string(rank)},
            {"WORLD_SIZE", std::to_string(worldSize)}, {"LOCAL_RANK", std::to_string(rank)}};
}

// A job of `worldSize` ranks on localhost, each given `arguments`; every rank's exit code.
std::vector<Rank> runJob(const TempDir& dir, int worldSize, const std::vector<std::string>& arguments) {
    const int port = freePort();
    std::vector<Rank> ranks;
    for (int rank = 0; rank < worldSize; ++rank)
        ranks.push_back(startRank(dir, "rank" + std::to_string(rank), arguments, torchrunVariables(port, rank, worldSize)));
    for (auto& rank : ranks) EXPECT_TRUE(rank.wait(240s)) << rank.errors();
    return ranks;
}

int runAlone(const TempDir& dir, const std::vector<std::string>& arguments) {
    auto rank = startRank(dir, "alone", arguments, {});
    EXPECT_TRUE(rank.wait(240s));
    EXPECT_EQ(rank.exitCode, 0) << rank.errors();
    return rank.exitCode;
}

std::vector<double> lossCurve(const std::filesystem::path& project, std::int64_t runId) {
    Database db(project.string(), Database::Mode::ReadOnly);
    std::vector<double> losses;
    auto query = db.prepare("SELECT value FROM metrics WHERE run_id = ? AND name = 'loss' ORDER BY step");
    query.bind(1, runId);
    while (query.step()) losses.push_back(query.columnDouble(0));
    return losses;
}

std::int64_t newestRun(const std::filesystem::path& project) {
    Database db(project.string(), Database::Mode::ReadOnly);
    return db.queryInt("SELECT COALESCE(MAX(id), 0) FROM runs");
}

RunStatus runStatus(const std::filesystem::path& project, std::int64_t runId) {
    Database db(project.string(), Database::Mode::ReadOnly);
    return RunStore(db).run(runId).status;
}

// Largest difference between two runs' best weights.
double weightDifference(const std::filesystem::path& project, std::int64_t first, std::int64_t second) {
    Database db(project.string(), Database::Mode::ReadOnly);
    const auto a = loadRunModel(db, first, "first run").model->named_parameters();
    const auto b = loadRunModel(db, second, "second run").model->named_parameters();
    double largest = 0;
    for (const auto& entry : a) largest = std::max(largest, (entry.value() - b[entry.key()]).abs().max().item<double>());
    return largest;
}

// A linear probe: the frozen TinyNet blocks keep BatchNorm in eval mode, so what a rank's share
// of a batch computes does not depend on the rest of the batch.
std::vector<std::string> probeArguments(const std::filesystem::path& project) {
    return {"train", project.string(), "--arch", "tinynet", "--freeze", "probe", "--epochs", "3", "--batch-size", "10",
            "--seed", "3", "--lr", "0.01"};
}

std::vector<std::string> with(std::vector<std::string> arguments, const std::vector<std::string>& more) {
    arguments.insert(arguments.end(), more.begin(), more.end());
    return arguments;
}

class DataParallelWorldSize : public ::testing::TestWithParam<int> {};

TEST_P(DataParallelWorldSize, LossCurveAndWeightsEqualOneProcessWithTheSameGlobalBatch) {
    TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 12);
    ASSERT_EQ(runAlone(dir, probeArguments(project)), 0);
    const auto alone = newestRun(project);
    const auto ranks = runJob(dir, GetParam(), with(probeArguments(project), {"--distributed", "--distributed-timeout", "60"}));
    for (const auto& rank : ranks) ASSERT_EQ(rank.exitCode, 0) << rank.errors();
    const auto together = newestRun(project);
    ASSERT_NE(together, alone);

    EXPECT_EQ(runStatus(project, together), RunStatus::Finished);
    const auto expected = lossCurve(project, alone), actual = lossCurve(project, together);
    ASSERT_EQ(actual.size(), expected.size());
    ASSERT_GT(expected.size(), 6u); // batches of 10 leave the last rank of 3 its share of a short last batch
    for (std::size_t step = 0; step < expected.size(); ++step) EXPECT_NEAR(actual[step], expected[step], 1e-5) << "step " << step + 1;
    EXPECT_LT(weightDifference(project, alone, together), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Gloo, DataParallelWorldSize, ::testing::Values(2, 3));

TEST(DataParallelRun, AugmentedImagesSentEncodedGiveOneProcesssLossCurve) {
    TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 12);
    const auto arguments = with(probeArguments(project), {"--augment", "standard"});
    ASSERT_EQ(runAlone(dir, arguments), 0);
    const auto alone = newestRun(project);
    const auto ranks = runJob(dir, 2, with(arguments, {"--distributed", "--distributed-timeout", "60"}));
    for (const auto& rank : ranks) ASSERT_EQ(rank.exitCode, 0) << rank.errors();
    const auto expected = lossCurve(project, alone), actual = lossCurve(project, newestRun(project));
    ASSERT_EQ(actual.size(), expected.size());
    for (std::size_t step = 0; step < expected.size(); ++step) EXPECT_NEAR(actual[step], expected[step], 1e-5) << "step " << step + 1;
}

// Largest difference between two runs' best BatchNorm running statistics.
double statisticsDifference(const std::filesystem::path& project, std::int64_t first, std::int64_t second) {
    Database db(project.string(), Database::Mode::ReadOnly);
    const auto a = loadRunModel(db, first, "first run").model->named_buffers();
    const auto b = loadRunModel(db, second, "second run").model->named_buffers();
    double largest = 0;
    for (const auto& entry : a)
        if (entry.value().is_floating_point())
            largest = std::max(largest, (entry.value() - b[entry.key()]).abs().max().item<double>());
    return largest;
}

// A full fine-tune whose weights stay put (a learning rate of 1e-30), so that its BatchNorm
// statistics come from the recalibration pass alone: pooled over 3 ranks, each passing its share
// of the batches (1, 1 and 2 of 4), they must be one process's. Decoded up front, and batch by
// batch as augmented runs decode them.
class DataParallelRecalibration : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(DataParallelRecalibration, PooledBatchNormStatisticsEqualOneProcesssPass) {
    TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 12);
    const auto arguments = with({"train", project.string(), "--arch", "tinynet", "--epochs", "1", "--batch-size", "8",
                                 "--seed", "4", "--lr", "1e-30"},
                                GetParam());
    ASSERT_EQ(runAlone(dir, arguments), 0);
    const auto alone = newestRun(project);
    const auto ranks = runJob(dir, 3, with(arguments, {"--distributed", "--distributed-timeout", "60"}));
    for (const auto& rank : ranks) ASSERT_EQ(rank.exitCode, 0) << rank.errors();
    const auto together = newestRun(project);
    ASSERT_NE(together, alone);
    EXPECT_LT(weightDifference(project, alone, together), 1e-12) << "the weights moved";
    EXPECT_LT(statisticsDifference(project, alone, together), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Gloo, DataParallelRecalibration,
                         ::testing::Values(std::vector<std::string>{}, std::vector<std::string>{"--augment", "standard"}));

// A full fine-tune long enough to be killed in, checkpointed after every step.
std::vector<std::string> killableArguments(const std::filesystem::path& project) {
    return {"train", project.string(), "--arch", "tinynet", "--epochs", "20", "--batch-size", "8", "--seed", "5",
            "--checkpoint-minutes", "0", "--distributed", "--distributed-timeout", "60"};
}

// Starts a job and SIGKILLs rank `victim` once the project has recorded `steps` steps of it;
// the ranks, the victim killed and the others ended (or killed after 90 s).
std::vector<Rank> killRankAfterSteps(const TempDir& dir, const std::vector<std::string>& arguments, int worldSize,
                                     int victim, std::int64_t steps, std::chrono::steady_clock::duration& stopping) {
    const auto project = arguments[1];
    const auto run = newestRun(project) + 1;
    const int port = freePort();
    std::vector<Rank> ranks;
    for (int rank = 0; rank < worldSize; ++rank)
        ranks.push_back(startRank(dir, "killed" + std::to_string(rank), arguments, torchrunVariables(port, rank, worldSize)));
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (lossCurve(project, run).size() < std::size_t(steps) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(5ms);
    kill(ranks[std::size_t(victim)].pid, SIGKILL);
    const auto killed = std::chrono::steady_clock::now();
    for (auto& rank : ranks) EXPECT_TRUE(rank.wait(90s)) << "a rank did not stop";
    stopping = std::chrono::steady_clock::now() - killed;
    return ranks;
}

TEST(DataParallelRun, KilledWorkerStopsTheOthersNamingItAndTheRunResumesExactly) {
    TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 20);
    const auto arguments = killableArguments(project);
    const auto uninterrupted = runJob(dir, 3, arguments);
    for (const auto& rank : uninterrupted) ASSERT_EQ(rank.exitCode, 0) << rank.errors();
    const auto reference = newestRun(project);

    std::chrono::steady_clock::duration stopping{};
    const auto ranks = killRankAfterSteps(dir, arguments, 3, 2, 20, stopping);
    const auto run = reference + 1;
    EXPECT_LT(stopping, 60s); // within --distributed-timeout
    for (const int survivor : {0, 1}) {
        EXPECT_NE(ranks[std::size_t(survivor)].exitCode, 0);
        EXPECT_NE(ranks[std::size_t(survivor)].errors().find("rank 2 on "), std::string::npos)
            << ranks[std::size_t(survivor)].errors();
    }
    {
        Database db = openProject(project);
        EXPECT_TRUE(testing::consistencyProblems(db).empty());
    }
    EXPECT_EQ(runStatus(project, run), RunStatus::Failed);

    const auto resumed = runJob(dir, 3, {"train", project.string(), "--resume", std::to_string(run), "--distributed",
                                         "--distributed-timeout", "60"});
    for (const auto& rank : resumed) ASSERT_EQ(rank.exitCode, 0) << rank.errors();
    EXPECT_EQ(runStatus(project, run), RunStatus::Finished);
    const auto expected = lossCurve(project, reference), actual = lossCurve(project, run);
    ASSERT_EQ(actual.size(), expected.size());
    for (std::size_t step = 0; step < expected.size(); ++step) EXPECT_NEAR(actual[step], expected[step], 1e-5) << "step " << step + 1;
    EXPECT_LT(weightDifference(project, reference, run), 1e-5);
}

TEST(DataParallelRun, KilledMasterStopsTheOthersNamingItAndTheRunResumes) {
    TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 20);
    std::chrono::steady_clock::duration stopping{};
    const auto ranks = killRankAfterSteps(dir, killableArguments(project), 2, 0, 20, stopping);
    EXPECT_LT(stopping, 60s);
    EXPECT_NE(ranks[1].exitCode, 0);
    EXPECT_NE(ranks[1].errors().find("rank 1 of 2: summing gradients failed: rank 0 (the master at 127.0.0.1:"),
              std::string::npos)
        << ranks[1].errors();
    const auto run = newestRun(project);
    {
        Database db = openProject(project); // marks the killed process's run interrupted
        EXPECT_TRUE(testing::consistencyProblems(db).empty());
    }
    EXPECT_EQ(runStatus(project, run), RunStatus::Interrupted);
    ASSERT_EQ(runAlone(dir, {"train", project.string(), "--resume", std::to_string(run)}), 0);
    EXPECT_EQ(runStatus(project, run), RunStatus::Finished);
}

TEST(DataParallelRun, RankWithOtherSettingsIsRefusedAndTheJobGoesOnWithTheRightOne) {
    TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 8);
    const auto arguments = with(probeArguments(project), {"--distributed", "--distributed-timeout", "60"});
    const int port = freePort();
    auto leader = startRank(dir, "leader", arguments, torchrunVariables(port, 0, 2));
    auto wrong = startRank(dir, "wrong", with(arguments, {"--weight-decay", "0.1"}), torchrunVariables(port, 1, 2));
    ASSERT_TRUE(wrong.wait(60s));
    EXPECT_NE(wrong.exitCode, 0);
    EXPECT_NE(wrong.errors().find("rank 1 of 2"), std::string::npos) << wrong.errors();
    EXPECT_NE(wrong.errors().find("127.0.0.1:" + std::to_string(port)), std::string::npos) << wrong.errors();
    EXPECT_NE(wrong.errors().find("stays out of the job"), std::string::npos) << wrong.errors();

    // Bytes that are not the store's protocol, on the master port.
    const int socket = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(std::uint16_t(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(socket, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    const std::string garbage = "GET / HTTP/1.1\r\nHost: graft\r\n\r\n\xff\xfe\x00\x01";
    ASSERT_GT(write(socket, garbage.data(), garbage.size()), 0);
    char reply[64];
    EXPECT_LE(read(socket, reply, sizeof reply), 0); // the store hangs up on it
    close(socket);

    auto right = startRank(dir, "right", arguments, torchrunVariables(port, 1, 2));
    ASSERT_TRUE(leader.wait(120s));
    ASSERT_TRUE(right.wait(30s));
    EXPECT_EQ(leader.exitCode, 0) << leader.errors();
    EXPECT_EQ(right.exitCode, 0) << right.errors();
    EXPECT_EQ(newestRun(project), 1);
    EXPECT_EQ(runStatus(project, 1), RunStatus::Finished);
}

TEST(DataParallelRun, DisagreeingWorldSizesAreRefusedNamingBoth) {
    TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 8);
    const auto arguments = with(probeArguments(project), {"--distributed", "--distributed-timeout", "3"});
    const int port = freePort();
    auto leader = startRank(dir, "leader", arguments, torchrunVariables(port, 0, 2));
    auto other = startRank(dir, "other", arguments, torchrunVariables(port, 1, 3));
    ASSERT_TRUE(other.wait(60s));
    ASSERT_TRUE(leader.wait(60s));
    EXPECT_NE(other.exitCode, 0);
    EXPECT_NE(other.errors().find("WORLD_SIZE is 3 here but 2 at rank 0 at 127.0.0.1:" + std::to_string(port)),
              std::string::npos)
        << other.errors();
    EXPECT_NE(leader.exitCode, 0);
    EXPECT_NE(leader.errors().find("rank(s) 1 did not join"), std::string::npos) << leader.errors();
    EXPECT_NE(leader.errors().find("WORLD_SIZE is 3"), std::string::npos) << leader.errors(); // the note
    EXPECT_EQ(newestRun(project), 0); // nothing written
}

TEST(DataParallelRun, UnreachableMasterIsNamedWithItsAddress) {
    TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 4);
    const int port = freePort();
    auto lonely = startRank(dir, "lonely", with(probeArguments(project), {"--distributed", "--distributed-timeout", "2"}),
                            torchrunVariables(port, 1, 2));
    ASSERT_TRUE(lonely.wait(60s));
    EXPECT_NE(lonely.exitCode, 0);
    EXPECT_NE(lonely.errors().find("rank 1 of 2: cannot reach the master (rank 0) at 127.0.0.1:" + std::to_string(port)),
              std::string::npos)
        << lonely.errors();
}

TEST(DataParallelRun, UnsupportedRunIsRefusedOnEveryRankBeforeAnythingIsRecorded) {
    TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 8);
    testing::unlabelHalfTheTrainingImages(project);
    const auto ranks = runJob(dir, 2, with(probeArguments(project), {"--semi-supervised", "fixmatch", "--distributed",
                                                                      "--distributed-timeout", "60"}));
    for (const auto& rank : ranks) {
        EXPECT_NE(rank.exitCode, 0);
        EXPECT_NE(rank.errors().find("a semi-supervised run cannot train data parallel yet"), std::string::npos)
            << rank.errors();
    }
    EXPECT_NE(ranks[1].errors().find("rank 1 of 2: rank 0 could not start the run"), std::string::npos) << ranks[1].errors();
    EXPECT_EQ(newestRun(project), 0);
}

// Held-out accuracy per trial, "arm seed budget" -> accuracy.
std::map<std::string, double> heldOutAccuracies(const std::filesystem::path& project) {
    Database db(project.string(), Database::Mode::ReadOnly);
    std::map<std::string, double> accuracies;
    auto query = db.prepare("SELECT r.arm, r.seed, r.labels_per_class, m.value FROM runs r JOIN metrics m ON m.run_id = r.id "
                            "WHERE m.name = 'heldout_accuracy' AND r.status = 'finished'");
    while (query.step())
        accuracies[query.columnText(0) + " " + std::to_string(query.columnInt(1)) + " " + std::to_string(query.columnInt(2))] =
            query.columnDouble(3);
    return accuracies;
}

// Two arms, two seeds, two budgets; the trials of one process use its cores split `ranks` ways,
// as ranks on one host do, since CPU results depend on the number of threads in their last bits.
struct ExperimentFixture {
    std::filesystem::path spec, alone, spread;
    std::map<std::string, double> expected;
    ExperimentFixture(const TempDir& dir, int ranks, int epochs) {
        spec = dir / "spec.json";
        testing::writeFile(spec, R"({"name": "spread", "seeds": 2, "budgets": [3, 6], "arms": [
            {"name": "scratch", "train": {"epochs": )" + std::to_string(epochs) + R"(, "batchSize": 4}},
            {"name": "probe", "train": {"epochs": )" + std::to_string(epochs) + R"(, "batchSize": 4, "freeze": "probe"}}]})");
        alone = testing::createShapesProject(dir / "alone.graft", 40);
        spread = testing::createShapesProject(dir / "spread.graft", 40);
        runAlone(dir, {"experiment", "run", alone.string(), spec.string(), "--parallel", std::to_string(ranks)});
        expected = heldOutAccuracies(alone);
    }
};

class DistributedExperimentWorldSize : public ::testing::TestWithParam<int> {};

TEST_P(DistributedExperimentWorldSize, HeldOutAccuraciesEqualOneProcessWithTheSameThreadsPerTrial) {
    TempDir dir;
    const ExperimentFixture experiment(dir, GetParam(), 2);
    ASSERT_EQ(experiment.expected.size(), 8u);
    const auto ranks = runJob(dir, GetParam(), {"experiment", "run", experiment.spread.string(), experiment.spec.string(),
                                                "--distributed", "--distributed-timeout", "60"});
    for (const auto& rank : ranks) ASSERT_EQ(rank.exitCode, 0) << rank.errors();
    EXPECT_EQ(heldOutAccuracies(experiment.spread), experiment.expected);
    // Every rank trained some (the queue hands trials out as ranks come free).
    for (std::size_t rank = 1; rank < ranks.size(); ++rank)
        EXPECT_EQ(testing::readFile(ranks[rank].out).find(": 0 trial(s) trained"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Gloo, DistributedExperimentWorldSize, ::testing::Values(2, 3));

TEST(DistributedExperiment, LostRanksTrialResumesElsewhereAndTheResultsStayTheSame) {
    TempDir dir;
    const ExperimentFixture experiment(dir, 3, 8);
    const std::vector<std::string> arguments = {"experiment", "run", experiment.spread.string(), experiment.spec.string(),
                                                "--distributed", "--distributed-timeout", "60"};
    const int port = freePort();
    std::vector<Rank> ranks;
    for (int rank = 0; rank < 3; ++rank)
        ranks.push_back(startRank(dir, "rank" + std::to_string(rank), arguments, torchrunVariables(port, rank, 3)));
    const auto recorded = [&] {
        Database db(experiment.spread.string(), Database::Mode::ReadOnly);
        return db.queryInt("SELECT count(*) FROM metrics WHERE name = 'loss'");
    };
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (recorded() < 40 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
    kill(ranks[2].pid, SIGKILL);
    ASSERT_TRUE(ranks[0].wait(240s));
    ASSERT_TRUE(ranks[1].wait(30s));
    ranks[2].wait(5s);
    EXPECT_EQ(ranks[0].exitCode, 0) << ranks[0].errors();
    EXPECT_EQ(ranks[1].exitCode, 0) << ranks[1].errors();
    const auto log = testing::readFile(ranks[0].out) + ranks[0].errors();
    EXPECT_NE(log.find("rank 2 on "), std::string::npos) << log;
    EXPECT_NE(log.find("goes back to the queue"), std::string::npos) << log;
    EXPECT_EQ(heldOutAccuracies(experiment.spread), experiment.expected);
    Database db = openProject(experiment.spread);
    EXPECT_TRUE(testing::consistencyProblems(db).empty());
}

} // namespace
} // namespace graft
