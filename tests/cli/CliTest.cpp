#include "data/ImageDecoding.h"
#include "data/Preprocess.h"
#include "data/SyntheticShapes.h"
#include "explain/GradCam.h"
#include "models/Architectures.h"
#include "models/Classifier.h"
#include "models/PthReader.h"
#include "models/Weights.h"
#include "project/Database.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"
#include "train/RunSpec.h"

#include "Images.h"
#include "RequiredData.h"
#include "ShapesFolder.h"
#include "ShapesProject.h"
#include "TempDir.h"
#include "TwoTaskShapes.h"
#include "WriterProcess.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <chrono>
#include <cmath>
#include <csignal>
#include <fstream>
#include <fcntl.h>
#include <map>
#include <set>
#include <sstream>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>

extern char** environ;

namespace graft {
namespace {

using testing::TempDir;
using testing::writeInvertedShapesFolder;
using testing::writeShapesFolder;

struct CliResult {
    int exitCode = -1;
    std::string out;
    std::string err;
};

CliResult runCli(const TempDir& dir, const std::string& arguments) {
    const auto out = dir / "stdout.txt";
    const auto err = dir / "stderr.txt";
    const std::string command =
        std::string(GRAFT_CLI) + " " + arguments + " >" + out.string() + " 2>" + err.string() + " </dev/null";
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, testing::readFile(out), testing::readFile(err)};
}

// An ImageFolder of generated shapes: folder/<shape>/<n>.png.
pid_t spawnCli(const std::vector<std::string>& arguments) {
    std::vector<char*> argv = {const_cast<char*>(GRAFT_CLI)};
    for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int error = posix_spawn(&pid, GRAFT_CLI, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    return error == 0 ? pid : -1;
}

std::int64_t recordedSteps(const std::filesystem::path& project) {
    Database db(project.string(), Database::Mode::ReadOnly);
    return db.queryInt("SELECT count(*) FROM metrics WHERE name = 'loss'");
}

// Starts graft-cli and SIGKILLs it as soon as `project` records `steps` training steps. False when
// it could not start, or ended by itself before the kill.
bool killCliAfterSteps(const std::vector<std::string>& arguments, const std::filesystem::path& project,
                       std::int64_t steps) {
    const pid_t pid = spawnCli(arguments);
    if (pid <= 0) return false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (recordedSteps(project) < steps && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status);
}

TEST(Cli, EveryCommandPrintsItsOwnUsageForHelp) {
    TempDir dir;
    for (const std::string command : {"new", "import", "split", "label", "info", "train", "lr-find", "eval", "pretrain",
                                      "experiment", "compare", "rank", "suggest", "export", "predict", "explain", "zoo", "demo", "bench"}) {
        SCOPED_TRACE(command);
        const auto help = runCli(dir, command + " --help");
        EXPECT_EQ(help.exitCode, 0) << help.err;
        EXPECT_NE(help.out.find("\n  " + command + " "), std::string::npos) << help.out;
        std::istringstream lines(help.out);
        for (std::string line; std::getline(lines, line);) {
            if (line.starts_with("  ") && line.size() > 2 && line[2] != ' ') {
                EXPECT_TRUE(line.starts_with("  " + command + " ")) << "another command's entry: " << line;
            }
        }
    }
    EXPECT_EQ(runCli(dir, "demo -h").out, runCli(dir, "demo --help").out);
}

TEST(Cli, UnlabelledImagesTeachThroughFixMatchAndSimSiamFromTheCommandLine) {
    TempDir dir;
    const auto project = dir / "shapes.graft";
    testing::createShapesProject(project, 15, 2);
    testing::unlabelHalfTheTrainingImages(project);
    const auto info = runCli(dir, "info " + project.string() + " --json");
    ASSERT_EQ(info.exitCode, 0) << info.err;
    const auto pool = nlohmann::json::parse(info.out).at("unlabelledPool").get<std::int64_t>();
    EXPECT_GT(pool, 0);

    const auto trained = runCli(dir, "train " + project.string() +
                                         " --epochs 2 --batch-size 8 --semi-supervised fixmatch --unlabelled-ratio 2 "
                                         "--threshold 0.5 --ema 0.9"); // not --json, which keeps the log quiet
    ASSERT_EQ(trained.exitCode, 0) << trained.err;
    EXPECT_NE(trained.err.find("unlabelled pool: " + std::to_string(pool) + " images"), std::string::npos) << trained.err;
    {
        Database db = openProject(project, ProjectAccess::ReadOnly);
        RunStore runs(db);
        const auto config = RunSpec::fromJson(runs.run(1).configJson).config;
        EXPECT_EQ(config.semiSupervised, "fixmatch");
        EXPECT_EQ(config.unlabelledRatio, 2);
        EXPECT_EQ(config.confidenceThreshold, 0.5);
        EXPECT_EQ(config.emaDecay, 0.9);
        EXPECT_EQ(runs.metric(1, "unlabelled_kept_share").size(), 2u);
    }

    const auto pretrained = runCli(dir, "pretrain " + project.string() + " --self-supervised simsiam --name shapes-ssl --epochs 1 "
                                        "--batch-size 16 --out " + (dir / "weights").string() + " --json");
    ASSERT_EQ(pretrained.exitCode, 0) << pretrained.err;
    const auto result = nlohmann::json::parse(pretrained.out);
    EXPECT_TRUE(std::filesystem::exists(result.at("weights").get<std::string>()));
    const auto fineTuned = runCli(dir, "train " + project.string() + " --epochs 1 --init " + result.at("weights").get<std::string>());
    EXPECT_EQ(fineTuned.exitCode, 0) << fineTuned.err;

    const auto unknown = runCli(dir, "pretrain " + project.string() + " --self-supervised byol --name x");
    EXPECT_EQ(unknown.exitCode, 2);
    EXPECT_NE(unknown.err.find("--self-supervised knows simsiam, not 'byol'"), std::string::npos) << unknown.err;
}

TEST(Cli, TrainKilledMidRunLeavesAnIntactProjectWithAnInterruptedRun) {
    TempDir dir;
    const auto project = dir / "shapes.graft";
    testing::createShapesProject(project, 200, 1);
    ASSERT_TRUE(killCliAfterSteps({"train", project.string(), "--epochs", "100", "--batch-size", "4"}, project, 5));

    {
        Database db(project.string(), Database::Mode::ReadOnly);
        auto check = db.prepare("PRAGMA integrity_check");
        ASSERT_TRUE(check.step());
        EXPECT_EQ(check.columnText(0), "ok");
        // Steps are contiguous from 1: nothing acknowledged was lost, nothing half-written kept.
        EXPECT_EQ(db.queryInt("SELECT max(step) FROM metrics WHERE name = 'loss'"),
                  db.queryInt("SELECT count(*) FROM metrics WHERE name = 'loss'"));
    }
    const std::int64_t steps = recordedSteps(project);
    EXPECT_GE(steps, 5);

    const auto info = runCli(dir, "info " + project.string() + " --json");
    ASSERT_EQ(info.exitCode, 0) << info.err;
    const auto json = nlohmann::json::parse(info.out);
    ASSERT_EQ(json["runs"].size(), 1u);
    EXPECT_EQ(json["runs"][0]["status"], "interrupted");
    EXPECT_EQ(json["runs"][0]["lastStep"], steps);
}

std::vector<std::pair<std::int64_t, double>> metricByStep(const std::filesystem::path& project, const std::string& name) {
    Database db(project.string(), Database::Mode::ReadOnly);
    auto query = db.prepare("SELECT step, value FROM metrics WHERE run_id = 1 AND name = ? ORDER BY step");
    query.bind(1, name);
    std::vector<std::pair<std::int64_t, double>> points;
    while (query.step()) points.emplace_back(query.columnInt(0), query.columnDouble(1));
    return points;
}

TEST(Cli, ARunKilledMidEpochAndResumedMatchesTheUninterruptedRun) {
    TempDir dir;
    const auto killed = dir / "killed.graft", whole = dir / "whole.graft";
    {
        Database db = createProject(killed);
        importSyntheticShapes(db, 100, 3); // 240 training images: 30 steps an epoch
    }
    std::filesystem::copy_file(killed, whole);
    // Augmented, checkpointed after every step: the kill lands anywhere in an epoch.
    const std::vector<std::string> options = {"--epochs", "4", "--batch-size", "8", "--augment", "standard",
                                              "--checkpoint-minutes", "0", "--seed", "4"};
    std::string optionText;
    for (const auto& option : options) optionText += " " + option;
    const auto uninterrupted = runCli(dir, "train " + whole.string() + optionText + " --json");
    ASSERT_EQ(uninterrupted.exitCode, 0) << uninterrupted.err;

    std::vector<std::string> arguments = {"train", killed.string()};
    arguments.insert(arguments.end(), options.begin(), options.end());
    ASSERT_TRUE(killCliAfterSteps(arguments, killed, 45));
    const auto stepsBeforeKill = recordedSteps(killed);
    ASSERT_LT(stepsBeforeKill, 120);

    const auto resumed = runCli(dir, "train " + killed.string() + " --resume 1 --json");
    ASSERT_EQ(resumed.exitCode, 0) << resumed.err;
    const auto result = nlohmann::json::parse(resumed.out);
    EXPECT_EQ(result["run"], 1);
    EXPECT_EQ(result["status"], "finished");
    EXPECT_EQ(result["steps"], 120);

    for (const char* name : {"loss", "val_loss", "val_accuracy", "train_loss"}) {
        SCOPED_TRACE(name);
        const auto expected = metricByStep(whole, name), actual = metricByStep(killed, name);
        ASSERT_EQ(actual.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            EXPECT_EQ(actual[i].first, expected[i].first);
            EXPECT_NEAR(actual[i].second, expected[i].second, 1e-5) << "step " << expected[i].first;
        }
    }
    const auto waits = metricByStep(killed, "data_wait_seconds");
    EXPECT_EQ(waits.size(), 4u) << "augmented epochs record how long training waited for batches";

    const auto again = runCli(dir, "train " + killed.string() + " --resume 1");
    EXPECT_EQ(again.exitCode, 1);
    EXPECT_NE(again.err.find("run 1 has already finished"), std::string::npos) << again.err;
    const auto changed = runCli(dir, "train " + killed.string() + " --resume 1 --epochs 9");
    EXPECT_EQ(changed.exitCode, 2);
    EXPECT_NE(changed.err.find("keeps its own settings"), std::string::npos) << changed.err;
}

TEST(Cli, TasksComeFromACsvColumnAFolderAndLabelLinesAndInfoCountsEach) {
    TempDir dir;
    const auto project = (dir / "p.graft").string();
    writeShapesFolder(dir / "shapes", 4, 3); // 12 images in three class folders
    ASSERT_EQ(runCli(dir, "new " + project).exitCode, 0);
    ASSERT_EQ(runCli(dir, "import " + project + " " + (dir / "shapes").string()).exitCode, 0);
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir / "shapes"))
        if (entry.is_regular_file()) files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());
    ASSERT_EQ(files.size(), 12u);
    {
        std::ofstream csv(dir / "tasks.csv");
        csv << "path,size,colour\n";
        for (std::size_t i = 0; i < 6; ++i) csv << files[i] << "," << (i % 2 ? "big" : "small") << "," << (i < 3 ? "red" : "") << "\n";
    }
    const auto imported = runCli(dir, "import " + project + " " + (dir / "tasks.csv").string() + " --json");
    ASSERT_EQ(imported.exitCode, 0) << imported.err;
    EXPECT_EQ(nlohmann::json::parse(imported.out)["duplicates"].size(), 6u) << "the images were there; they gain labels";
    {
        std::ofstream labels(dir / "colour.csv");
        labels << files[6] << ",blue\n" << files[7] << ",red\n";
    }
    const auto labelled = runCli(dir, "label " + project + " " + (dir / "colour.csv").string() + " --task colour");
    ASSERT_EQ(labelled.exitCode, 0) << labelled.err;

    const auto info = nlohmann::json::parse(runCli(dir, "info " + project + " --json").out);
    ASSERT_EQ(info["tasks"].size(), 3u);
    EXPECT_EQ(info["tasks"][0]["name"], "class");
    EXPECT_EQ(info["tasks"][0]["labeled"], 12);
    EXPECT_EQ(info["tasks"][1]["name"], "size");
    EXPECT_EQ(info["tasks"][1]["labeled"], 6);
    EXPECT_EQ(info["tasks"][1]["classes"].size(), 2u);
    EXPECT_EQ(info["tasks"][2]["name"], "colour");
    EXPECT_EQ(info["tasks"][2]["labeled"], 5);
    EXPECT_EQ(info["tasks"][2]["unlabeled"], 7);
    EXPECT_EQ(info["classes"].size(), 3u) << "'classes' stays the first task's";
    const auto text = runCli(dir, "info " + project).out;
    EXPECT_NE(text.find("Task colour: 5 labelled, 7 unlabelled"), std::string::npos) << text;

    const auto split = runCli(dir, "split " + project + " --task size --val 0.5 --test 0");
    EXPECT_EQ(split.exitCode, 0) << split.err;
    EXPECT_NE(split.out.find("stratified on task size"), std::string::npos) << split.out;
    const auto unknown = runCli(dir, "split " + project + " --task shape");
    EXPECT_NE(unknown.exitCode, 0);
    EXPECT_NE(unknown.err.find("no task 'shape' (tasks: class, size, colour)"), std::string::npos) << unknown.err;

    EXPECT_EQ(runCli(dir, "task " + project + " rename colour hue").exitCode, 0);
    const auto removed = runCli(dir, "task " + project + " remove hue");
    EXPECT_EQ(removed.exitCode, 0) << removed.err;
    EXPECT_NE(removed.out.find("Removed task hue and its 5 labels"), std::string::npos) << removed.out;
    const auto first = runCli(dir, "task " + project + " remove class");
    EXPECT_EQ(first.exitCode, 1);
    EXPECT_NE(first.err.find("cannot be removed; rename it instead"), std::string::npos) << first.err;
    const auto after = nlohmann::json::parse(runCli(dir, "info " + project + " --json").out);
    ASSERT_EQ(after["tasks"].size(), 2u);
    EXPECT_EQ(after["tasks"][0]["labeled"], 12) << "removing a task leaves the others' labels";
}

TEST(Cli, AMultiTaskRunTrainsFromTheCommandLineAndPredictsEveryTask) {
    TempDir dir;
    const auto project = dir / "p.graft";
    testing::createTwoTaskShapesProject(project, 10);
    const auto trained = runCli(dir, "train " + project.string() + " --epochs 1 --tasks class,corners --task-weights 1,0.5 --json");
    ASSERT_EQ(trained.exitCode, 0) << trained.err;
    const auto run = nlohmann::json::parse(trained.out)["run"].get<std::int64_t>();
    testing::writeFile(dir / "one.png", testing::pngBytes(3));
    const auto predicted = runCli(dir, "predict --model " + project.string() + ":" + std::to_string(run) + " --topk 1 " +
                                           (dir / "one.png").string() + " --json");
    ASSERT_EQ(predicted.exitCode, 0) << predicted.err;
    const auto tasks = nlohmann::json::parse(predicted.out)["predictions"][0]["tasks"];
    ASSERT_EQ(tasks.size(), 2u);
    EXPECT_EQ(tasks[0]["task"], "class");
    EXPECT_EQ(tasks[1]["task"], "corners");
    const auto corner = tasks[1]["top"][0]["label"].get<std::string>();
    EXPECT_TRUE(corner == "round" || corner == "angular") << corner;
    const auto text = runCli(dir, "predict --model " + project.string() + ":" + std::to_string(run) + " " + (dir / "one.png").string());
    EXPECT_NE(text.out.find("  corners\n"), std::string::npos) << text.out;
    const auto wrong = runCli(dir, "train " + project.string() + " --tasks class,corners --task-weights 1");
    EXPECT_EQ(wrong.exitCode, 1);
    EXPECT_NE(wrong.err.find("task weights: 1 given for 2 tasks"), std::string::npos) << wrong.err;
}

TEST(Cli, ImportThenTrainReportsValidationAccuracyAsJson) {
    TempDir dir;
    const auto project = (dir / "p.graft").string();
    writeShapesFolder(dir / "images", 30, 5);
    testing::writeFile(dir / "images/square/broken.png", "not a png");
    ASSERT_EQ(runCli(dir, "new " + project).exitCode, 0);

    const auto imported = runCli(dir, "import " + project + " " + (dir / "images").string() + " --json");
    ASSERT_EQ(imported.exitCode, 0) << imported.err;
    const auto report = nlohmann::json::parse(imported.out);
    EXPECT_EQ(report["added"], 90);
    ASSERT_EQ(report["skipped"].size(), 1u);
    EXPECT_NE(report["skipped"][0]["path"].get<std::string>().find("broken.png"), std::string::npos);

    const auto trained = runCli(dir, "train " + project + " --epochs 2 --json");
    ASSERT_EQ(trained.exitCode, 0) << trained.err;
    const auto result = nlohmann::json::parse(trained.out);
    EXPECT_EQ(result["status"], "finished");
    EXPECT_TRUE(result["valAccuracy"].is_number());

    const auto evaluated = runCli(dir, "eval " + project + " --run 1 --split test --json");
    ASSERT_EQ(evaluated.exitCode, 0) << evaluated.err;
    const auto evaluation = nlohmann::json::parse(evaluated.out);
    EXPECT_EQ(evaluation["images"], 9);
    // The report agrees with itself: confusion sums to the images, its diagonal to the accuracy,
    // and every image off the diagonal is listed by hash.
    std::int64_t total = 0, diagonal = 0;
    for (std::size_t row = 0; row < evaluation["confusion"].size(); ++row)
        for (std::size_t column = 0; column < evaluation["confusion"][row].size(); ++column) {
            total += evaluation["confusion"][row][column].get<std::int64_t>();
            if (row == column) diagonal += evaluation["confusion"][row][column].get<std::int64_t>();
        }
    EXPECT_EQ(total, 9);
    EXPECT_NEAR(evaluation["accuracy"].get<double>(), double(diagonal) / 9, 1e-12);
    EXPECT_EQ(std::int64_t(evaluation["misclassified"].size()), 9 - diagonal);
    for (const auto& error : evaluation["misclassified"]) EXPECT_NE(error["actual"], error["predicted"]);
    ASSERT_EQ(evaluation["classes"].size(), 3u);
    EXPECT_EQ(evaluation["classes"][0]["support"].get<std::int64_t>() + evaluation["classes"][1]["support"].get<std::int64_t>() +
                  evaluation["classes"][2]["support"].get<std::int64_t>(),
              9);
}

TEST(Cli, ExportWritesTorchScriptThatReproducesTheRunOnItsHeldOutImages) {
    TempDir dir;
    const auto project = (dir / "p.graft").string();
    writeShapesFolder(dir / "images", 20, 5);
    ASSERT_EQ(runCli(dir, "new " + project).exitCode, 0);
    ASSERT_EQ(runCli(dir, "import " + project + " " + (dir / "images").string()).exitCode, 0);
    ASSERT_EQ(runCli(dir, "train " + project + " --epochs 1").exitCode, 0);

    const auto model = dir / "model.pt";
    const auto exported = runCli(dir, "export " + project + " --run 1 --out " + model.string() + " --softmax --json");
    ASSERT_EQ(exported.exitCode, 0) << exported.err;
    const auto replay = nlohmann::json::parse(exported.out);
    EXPECT_EQ(replay["replaySplit"], "test");
    EXPECT_GT(replay["images"].get<int>(), 0);
    EXPECT_EQ(replay["topOneAgreements"], replay["images"]);
    EXPECT_LE(replay["maxDifference"].get<double>(), 1e-5);
    EXPECT_EQ(replay["outputs"], "probabilities");
    EXPECT_TRUE(std::filesystem::is_regular_file(model));

    const auto onnx = runCli(dir, "export " + project + " --run 1 --out " + (dir / "model.onnx").string() + " --format onnx --json");
    ASSERT_EQ(onnx.exitCode, 0) << onnx.err;
    const auto onnxReplay = nlohmann::json::parse(onnx.out);
    EXPECT_EQ(onnxReplay["topOneAgreements"], onnxReplay["images"]);
    EXPECT_LE(onnxReplay["maxDifference"].get<double>(), 1e-4);
    EXPECT_EQ(runCli(dir, "export " + project + " --run 1 --out m.tflite --format tflite").exitCode, 2);
    const auto missing = runCli(dir, "export " + project + " --run 9 --out " + (dir / "nine.pt").string());
    EXPECT_EQ(missing.exitCode, 1);
    EXPECT_NE(missing.err.find("9"), std::string::npos) << missing.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "nine.pt"));
}

TEST(Cli, BundleAndProjectRunPredictWhatTheNativeModelPredictsFromTheSameWeights) {
    TempDir dir;
    const auto project = (dir / "p.graft").string();
    writeShapesFolder(dir / "images", 20, 6);
    ASSERT_EQ(runCli(dir, "new " + project).exitCode, 0);
    ASSERT_EQ(runCli(dir, "import " + project + " " + (dir / "images").string()).exitCode, 0);
    // One epoch: its checkpoint, which the bundle exports, holds the weights saved here.
    ASSERT_EQ(runCli(dir, "train " + project + " --epochs 1 --save-weights " + (dir / "weights.pt").string()).exitCode, 0);
    const auto bundle = dir / "bundle";
    const auto exported = runCli(dir, "export " + project + " --run 1 --bundle " + bundle.string());
    ASSERT_EQ(exported.exitCode, 0) << exported.err;
    const auto labels = nlohmann::json::parse(testing::readFile(bundle / "labels.json"));
    std::string labelLines;
    for (const auto& label : labels) labelLines += label.get<std::string>() + "\n";
    testing::writeFile(dir / "labels.txt", labelLines);

    std::string images;
    for (const auto* shape : {"circle", "square", "triangle"})
        for (const auto& entry : std::filesystem::directory_iterator(dir / "images" / shape)) {
            images += ' '; // appended: gcc 12 at -O3 warns falsely on " " + path (-Wrestrict)
            images += entry.path().string();
        }
    const auto fromBundle = runCli(dir, "predict" + images + " --model " + bundle.string() + " --topk 3 --json");
    ASSERT_EQ(fromBundle.exitCode, 0) << fromBundle.err;
    const auto native = runCli(dir, "predict" + images + " --backbone tinynet --weights " + (dir / "weights.pt").string() +
                                        " --labels " + (dir / "labels.txt").string() + " --topk 3 --json");
    ASSERT_EQ(native.exitCode, 0) << native.err;
    const auto a = nlohmann::json::parse(fromBundle.out)["predictions"], b = nlohmann::json::parse(native.out)["predictions"];
    ASSERT_EQ(a.size(), 60u);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        for (std::size_t rank = 0; rank < 3; ++rank) {
            EXPECT_EQ(a[i]["top"][rank]["label"], b[i]["top"][rank]["label"]) << a[i]["image"];
            EXPECT_NEAR(a[i]["top"][rank]["probability"].get<double>(), b[i]["top"][rank]["probability"].get<double>(), 1e-5);
        }
    EXPECT_EQ(runCli(dir, "predict x.png --model " + (dir / "images").string()).exitCode, 1) << "not a bundle";

    // A calibrated bundle: predict divides the same logits by the recorded temperature. With three
    // classes the top 3 are the whole distribution, so log p recovers the logits up to a constant.
    const auto calibratedBundle = dir / "calibrated";
    const auto calibrated = runCli(dir, "export " + project + " --run 1 --bundle " + calibratedBundle.string() + " --calibrate --json");
    ASSERT_EQ(calibrated.exitCode, 0) << calibrated.err;
    const double temperature = nlohmann::json::parse(testing::readFile(calibratedBundle / "calibration.json"))["temperature"];
    EXPECT_EQ(nlohmann::json::parse(calibrated.out)["temperatureScaling"]["temperature"].get<double>(), temperature);
    const auto scaled = runCli(dir, "predict" + images + " --model " + calibratedBundle.string() + " --topk 3 --json");
    ASSERT_EQ(scaled.exitCode, 0) << scaled.err;
    const auto c = nlohmann::json::parse(scaled.out)["predictions"];
    ASSERT_EQ(c.size(), a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        std::map<std::string, double> logProbability, expected;
        for (const auto& score : a[i]["top"]) logProbability[score["label"]] = std::log(score["probability"].get<double>());
        double total = 0;
        for (const auto& [label, value] : logProbability) total += std::exp(value / temperature);
        for (const auto& score : c[i]["top"])
            EXPECT_NEAR(score["probability"].get<double>(), std::exp(logProbability[score["label"]] / temperature) / total, 1e-5)
                << c[i]["image"];
    }
    EXPECT_EQ(runCli(dir, "export " + project + " --run 1 --out " + (dir / "m.pt").string() + " --calibrate").exitCode, 2);

    // The run itself, straight from the project, over the whole folder, as CSV.
    const auto csvFile = dir / "predictions.csv";
    const auto fromRun = runCli(dir, "predict " + (dir / "images").string() + " --model " + project + ":1 --topk 3 --out " +
                                         csvFile.string());
    ASSERT_EQ(fromRun.exitCode, 0) << fromRun.err;
    std::map<std::string, std::vector<std::pair<std::string, double>>> csvTop;
    std::istringstream csv(testing::readFile(csvFile));
    std::string row;
    std::getline(csv, row);
    EXPECT_EQ(row, "image,rank,label,index,probability,error");
    while (std::getline(csv, row)) {
        std::vector<std::string> fields;
        std::istringstream cells(row);
        for (std::string cell; std::getline(cells, cell, ',');) fields.push_back(cell);
        ASSERT_EQ(fields.size(), 5u) << row; // the empty error column ends the row
        EXPECT_EQ(std::stoul(fields[1]), csvTop[fields[0]].size() + 1) << row;
        csvTop[fields[0]].emplace_back(fields[2], std::stod(fields[4]));
    }
    ASSERT_EQ(csvTop.size(), a.size()) << "every image under the folder";
    for (const auto& prediction : a) {
        const auto& top = csvTop[prediction["image"].get<std::string>()];
        ASSERT_EQ(top.size(), 3u) << prediction["image"];
        for (std::size_t rank = 0; rank < 3; ++rank) {
            EXPECT_EQ(top[rank].first, prediction["top"][rank]["label"]) << prediction["image"];
            EXPECT_NEAR(top[rank].second, prediction["top"][rank]["probability"].get<double>(), 1e-5);
        }
    }
    const auto missingRun = runCli(dir, "predict " + (dir / "images").string() + " --model " + project + ":9");
    EXPECT_EQ(missingRun.exitCode, 1);
    EXPECT_NE(missingRun.err.find("p.graft: no run with id 9"), std::string::npos) << missingRun.err;
}

// The map numpy.load would read from explain's FILE.npy: a float32 array of the given shape.
torch::Tensor npyFloat32(const std::filesystem::path& file) {
    const std::string bytes = testing::readFile(file);
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\0", 8));
    const std::size_t headerLength = std::uint8_t(bytes[8]) | std::uint8_t(bytes[9]) << 8;
    const std::string header = bytes.substr(10, headerLength);
    EXPECT_NE(header.find("'descr': '<f4'"), std::string::npos) << header;
    EXPECT_EQ((10 + headerLength) % 64, 0u) << "numpy aligns the data";
    const auto start = header.find("'shape': (") + 10;
    std::vector<std::int64_t> shape;
    for (std::istringstream dims(header.substr(start, header.find(')', start) - start)); dims;) {
        std::int64_t size = 0;
        if (dims >> size) shape.push_back(size);
        dims.ignore(2);
    }
    auto map = torch::empty(shape, torch::kFloat32);
    EXPECT_EQ(bytes.size() - 10 - headerLength, std::size_t(map.numel()) * sizeof(float));
    std::memcpy(map.data_ptr(), bytes.data() + 10 + headerLength, std::size_t(map.numel()) * sizeof(float));
    return map;
}

TEST(Cli, ExplainWritesEachImagesOverlayAndTheMapGradCamComputes) {
    TempDir dir;
    const auto project = (dir / "p.graft").string();
    writeShapesFolder(dir / "images", 4, 6);
    testing::writeFile(dir / "extra" / "broken.png", "not a png");
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir / "images"))
        if (entry.path().filename() == "0.png") std::filesystem::copy_file(entry.path(), dir / "extra" / "0.png");
    ASSERT_EQ(runCli(dir, "new " + project).exitCode, 0);
    ASSERT_EQ(runCli(dir, "import " + project + " " + (dir / "images").string()).exitCode, 0);
    ASSERT_EQ(runCli(dir, "train " + project + " --epochs 2 --save-weights " + (dir / "weights.pt").string()).exitCode, 0);

    const auto out = dir / "explained";
    const auto explained = runCli(dir, "explain " + project + " --run 1 " + (dir / "images").string() + " " +
                                           (dir / "extra").string() + " --out " + out.string() +
                                           " --class triangle --block stage2 --json");
    EXPECT_EQ(explained.exitCode, 1) << "one image is broken";
    const auto summary = nlohmann::json::parse(explained.out);
    EXPECT_EQ(summary, nlohmann::json::parse(testing::readFile(out / "explain.json")));
    EXPECT_EQ(summary["block"], "stage2");
    ASSERT_EQ(summary["images"].size(), 14u); // 12 shapes, a copy of one and the broken one

    auto model = createClassifier(architectureSpec("tinynet"), 3);
    loadAllWeights(*model, readPthFile(dir / "weights.pt"), "weights.pt");
    model->eval();
    const auto spec = architectureSpec("tinynet").preprocess;
    int checked = 0;
    for (const auto& result : summary["images"]) {
        const std::string image = result["image"];
        if (image.ends_with("broken.png")) {
            EXPECT_NE(result["error"].get<std::string>().find("broken.png: not an image"), std::string::npos) << result;
            continue;
        }
        EXPECT_EQ(result["explained"], "triangle");
        const auto input = preprocessForEval(decodeImage(readFileBytes(image), spec.color), spec);
        const auto expected = gradCam(*model, input, {2, "stage2"});
        const auto map = npyFloat32(result["map"].get<std::string>());
        ASSERT_EQ(map.sizes(), expected.map.sizes()) << image;
        EXPECT_LT((map - expected.map).abs().max().item<double>(), 1e-6) << image;
        const cv::Mat overlay = cv::imread(result["overlay"].get<std::string>(), cv::IMREAD_UNCHANGED);
        EXPECT_EQ(overlay.type(), CV_8UC3);
        EXPECT_EQ(overlay.size(), cv::Size(28, 28));
        ++checked;
    }
    EXPECT_EQ(checked, 13);
    // Images of one name in different folders keep apart.
    EXPECT_TRUE(std::filesystem::exists(out / "0.png") && std::filesystem::exists(out / "0-2.png"));

    const auto wrongBlock = runCli(dir, "explain " + project + " --run 1 " + (dir / "images").string() + " --out " +
                                            (dir / "w").string() + " --block head");
    EXPECT_EQ(wrongBlock.exitCode, 1);
    EXPECT_NE(wrongBlock.err.find("block \"head\" outputs 2-D features, not a spatial map"), std::string::npos) << wrongBlock.err;
    const auto wrongClass = runCli(dir, "explain " + project + " --run 1 " + (dir / "images").string() + " --out " +
                                            (dir / "w").string() + " --class hexagon");
    EXPECT_EQ(wrongClass.exitCode, 2);
    EXPECT_NE(wrongClass.err.find("--class expects one of the run's classes (circle, square, triangle)"), std::string::npos)
        << wrongClass.err;
    EXPECT_EQ(runCli(dir, "explain " + project + " --run 1 " + (dir / "images").string()).exitCode, 2) << "no --out";
}

TEST(Cli, ExperimentRunsPairedTrialsAndCompareReportsVerdicts) {
    TempDir dir;
    const auto project = (dir / "p.graft").string();
    writeShapesFolder(dir / "images", 30, 5);
    ASSERT_EQ(runCli(dir, "new " + project).exitCode, 0);
    ASSERT_EQ(runCli(dir, "import " + project + " " + (dir / "images").string()).exitCode, 0);
    const auto pretrained = runCli(dir, "train " + project + " --epochs 2 --save-weights " + (dir / "pre.pt").string());
    ASSERT_EQ(pretrained.exitCode, 0) << pretrained.err;
    testing::writeFile(dir / "spec.json", R"({"name": "shapes", "seeds": 2, "budgets": [4], "arms": [
        {"name": "transfer", "train": {"init": ")" + (dir / "pre.pt").string() + R"(", "epochs": 2, "batchSize": 16}},
        {"name": "scratch", "train": {"epochs": 2, "batchSize": 16}}]})");

    const auto ran = runCli(dir, "experiment run " + project + " " + (dir / "spec.json").string() + " --json");
    ASSERT_EQ(ran.exitCode, 0) << ran.err;
    const auto summary = nlohmann::json::parse(ran.out);
    EXPECT_EQ(summary["trained"], 4);
    const auto again = runCli(dir, "experiment run " + project + " " + std::to_string(summary["experiment"].get<int>()) + " --json");
    ASSERT_EQ(again.exitCode, 0) << again.err;
    EXPECT_EQ(nlohmann::json::parse(again.out)["skipped"], 4);

    const auto compared = runCli(dir, "compare " + project + " 1 --json");
    ASSERT_EQ(compared.exitCode, 0) << compared.err;
    const auto comparison = nlohmann::json::parse(compared.out);
    ASSERT_EQ(comparison["results"].size(), 2u);
    EXPECT_EQ(comparison["results"][0]["arm"], "transfer");
    EXPECT_EQ(comparison["results"][0]["scores"].size(), 2u);
    // The verdict the two seeds imply: the 95 % t interval (1 degree of freedom) of the paired differences.
    const auto transferAccuracies = comparison["results"][0]["scores"].get<std::vector<double>>();
    const auto scratchAccuracies = comparison["results"][1]["scores"].get<std::vector<double>>();
    ASSERT_EQ(scratchAccuracies.size(), 2u);
    const double first = transferAccuracies[0] - scratchAccuracies[0], second = transferAccuracies[1] - scratchAccuracies[1];
    const double mean = (first + second) / 2, halfWidth = 12.7062 * std::abs(first - second) / 2; // t * sd / sqrt(2)
    const std::string implied = mean - halfWidth > 0 ? "transfer helps" : mean + halfWidth < 0 ? "negative transfer" : "no evidence";
    const std::string verdict = comparison["results"][0]["versusBaseline"]["verdict"];
    EXPECT_EQ(verdict, implied) << "differences " << first << " and " << second;
    // Every image one arm got wrong is in that arm's list, and McNemar counts the disagreements.
    const auto& transfer = comparison["results"][0];
    std::size_t transferErrors = 0, scratchErrors = 0;
    for (const auto& image : transfer["misclassified"]) transferErrors += image["predicted"].size();
    for (const auto& image : comparison["results"][1]["misclassified"]) scratchErrors += image["predicted"].size();
    EXPECT_EQ(transfer["mcNemar"]["onlyArmRight"].get<std::int64_t>() - transfer["mcNemar"]["onlyBaselineRight"].get<std::int64_t>(),
              std::int64_t(scratchErrors) - std::int64_t(transferErrors));

    const auto reports = dir / "reports";
    std::filesystem::create_directory(reports);
    const auto table = runCli(dir, "compare " + project + " 1 --out " + reports.string());
    ASSERT_EQ(table.exitCode, 0) << table.err;
    EXPECT_NE(table.out.find(verdict), std::string::npos) << table.out;
    EXPECT_EQ(nlohmann::json::parse(testing::readFile(reports / "p-experiment-1.json")), comparison);
    const auto csv = testing::readFile(reports / "p-experiment-1.csv");
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3) << csv; // header, transfer, scratch
    EXPECT_NE(testing::readFile(reports / "p-experiment-1.md").find("| transfer | 4 |"), std::string::npos);
    const auto unwritable = runCli(dir, "compare " + project + " 1 --out " + (dir / "no-such-folder").string());
    EXPECT_EQ(unwritable.exitCode, 1);
    EXPECT_NE(unwritable.err.find("no-such-folder/p-experiment-1.json: cannot be written"), std::string::npos) << unwritable.err;

    const auto missing = runCli(dir, "compare " + project + " 7");
    EXPECT_EQ(missing.exitCode, 1);
    EXPECT_NE(missing.err.find("no experiment with id 7"), std::string::npos) << missing.err;
}

TEST(Cli, ExperimentFromASpecWithMissingWeightsIsRefusedBeforeAnythingIsStored) {
    TempDir dir;
    const auto project = (dir / "p.graft").string();
    ASSERT_EQ(runCli(dir, "new " + project).exitCode, 0);
    testing::writeFile(dir / "spec.json", R"({"arms": [{"name": "transfer", "train": {"init": "gone.pt"}}, {"name": "scratch"}]})");
    const auto refused = runCli(dir, "experiment run " + project + " " + (dir / "spec.json").string());
    EXPECT_EQ(refused.exitCode, 1);
    EXPECT_NE(refused.err.find("arm 'transfer' starts from "), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("gone.pt, which does not exist"), std::string::npos) << refused.err;
    EXPECT_NE(runCli(dir, "compare " + project + " 1").err.find("no experiment with id 1"), std::string::npos);
}

// Two scorable backbones of known order: weights trained three epochs on these very images, and
// the same network at its random start (a learning rate of 1e-12 leaves it there).
TEST(Cli, RankOrdersWeightsFilesByLogMeAndReportsABrokenOne) {
    TempDir dir;
    setenv("GRAFT_CACHE_DIR", (dir / "empty-cache").c_str(), 1); // no zoo weights: only the files named
    const auto project = (dir / "p.graft").string();
    writeShapesFolder(dir / "images", 30, 5);
    ASSERT_EQ(runCli(dir, "new " + project).exitCode, 0);
    ASSERT_EQ(runCli(dir, "import " + project + " " + (dir / "images").string()).exitCode, 0);
    ASSERT_EQ(runCli(dir, "rank " + project).exitCode, 1) << "nothing to rank";
    ASSERT_EQ(runCli(dir, "train " + project + " --epochs 3 --save-weights " + (dir / "pre.pt").string()).exitCode, 0);
    ASSERT_EQ(runCli(dir, "train " + project + " --epochs 1 --lr 1e-12 --save-weights " + (dir / "random.pt").string()).exitCode, 0);
    testing::writeFile(dir / "bad.pt", "junk");
    const auto ranked = runCli(dir, "rank " + project + " --weights tinynet=" + (dir / "bad.pt").string() + " --weights tinynet=" +
                                        (dir / "random.pt").string() + " --weights tinynet=" + (dir / "pre.pt").string() + " --json");
    unsetenv("GRAFT_CACHE_DIR");
    ASSERT_EQ(ranked.exitCode, 0) << ranked.err;
    const auto ranks = nlohmann::json::parse(ranked.out)["ranks"];
    ASSERT_EQ(ranks.size(), 3u);
    EXPECT_EQ(ranks[0]["name"], "pre.pt") << ranks;
    EXPECT_EQ(ranks[1]["name"], "random.pt") << ranks;
    ASSERT_TRUE(ranks[0]["logme"].is_number() && ranks[1]["logme"].is_number()) << ranks;
    EXPECT_GT(ranks[0]["logme"].get<double>(), ranks[1]["logme"].get<double>());
    EXPECT_NE(ranks[2]["error"].get<std::string>().find("bad.pt"), std::string::npos) << ranks[2];
}

TEST(Cli, SuggestListsOnlyUnlabelledImagesByTheStrategyWithTheRunsPredictions) {
    TempDir dir;
    const auto project = (dir / "p.graft").string();
    writeShapesFolder(dir / "labelled", 10, 5);
    writeShapesFolder(dir / "loose", 8, 6); // imported as loose files below: unlabelled
    std::string loose;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir / "loose"))
        if (entry.is_regular_file()) loose += " " + entry.path().string();
    ASSERT_EQ(runCli(dir, "new " + project).exitCode, 0);
    ASSERT_EQ(runCli(dir, "import " + project + " " + (dir / "labelled").string()).exitCode, 0);
    ASSERT_EQ(runCli(dir, "import " + project + loose).exitCode, 0);
    ASSERT_EQ(runCli(dir, "train " + project + " --epochs 1 --save-weights " + (dir / "w.pt").string()).exitCode, 0);
    std::set<std::string> unlabelled;
    {
        Database db(project, Database::Mode::ReadOnly);
        for (const auto& image : ProjectStore(db).catalog())
            if (!image.classId) unlabelled.insert(image.sha256);
    }
    ASSERT_EQ(unlabelled.size(), 24u);

    const auto uncertain = runCli(dir, "suggest " + project + " --run 1 --count 6 --strategy uncertain --json");
    ASSERT_EQ(uncertain.exitCode, 0) << uncertain.err;
    const auto suggestions = nlohmann::json::parse(uncertain.out)["suggestions"];
    ASSERT_EQ(suggestions.size(), 6u);
    for (std::size_t i = 0; i < suggestions.size(); ++i) {
        EXPECT_TRUE(unlabelled.contains(suggestions[i]["sha256"].get<std::string>())) << suggestions[i];
        EXPECT_TRUE(suggestions[i]["predicted"].is_string()) << suggestions[i];
        const double confidence = suggestions[i]["confidence"].get<double>();
        EXPECT_TRUE(confidence > 0 && confidence <= 1) << suggestions[i];
        if (i > 0) {
            EXPECT_LE(suggestions[i]["score"].get<double>(), suggestions[i - 1]["score"].get<double>()) << "least sure first";
        }
    }

    const auto typical = runCli(dir, "suggest " + project + " --backbone tinynet --weights " + (dir / "w.pt").string() +
                                         " --count 30 --out " + (dir / "next.csv").string());
    ASSERT_EQ(typical.exitCode, 0) << typical.err;
    const auto csv = testing::readFile(dir / "next.csv");
    EXPECT_TRUE(csv.starts_with("rank,image,source,score,predicted,confidence\n")) << csv;
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 25) << "a header and every unlabelled image, no more";

    const auto unknown = runCli(dir, "suggest " + project + " --run 1 --strategy clever");
    EXPECT_EQ(unknown.exitCode, 2);
    EXPECT_NE(unknown.err.find("typical"), std::string::npos) << "lists the strategies: " << unknown.err;
    const auto needsRun = runCli(dir, "suggest " + project + " --backbone tinynet --weights " + (dir / "w.pt").string() +
                                          " --strategy uncertain");
    EXPECT_EQ(needsRun.exitCode, 1);
    EXPECT_NE(needsRun.err.find("finished run"), std::string::npos) << needsRun.err;
}

TEST(Cli, DomainsFromImportAreCountedMeasuredAndAdaptedTo) {
    TempDir dir;
    const auto project = (dir / "p.graft").string();
    writeShapesFolder(dir / "lab", 8, 5);
    writeInvertedShapesFolder(dir / "field", 8, 6);
    ASSERT_EQ(runCli(dir, "new " + project).exitCode, 0);
    ASSERT_EQ(runCli(dir, "import " + project + " " + (dir / "lab").string() + " --domain lab").exitCode, 0);
    ASSERT_EQ(runCli(dir, "import " + project + " " + (dir / "field").string() + " --domain field").exitCode, 0);
    const auto bad = runCli(dir, "import " + project + " " + (dir / "lab").string() + " --domain a,b");
    EXPECT_NE(bad.exitCode, 0);
    EXPECT_NE(bad.err.find("'a,b' holds a comma"), std::string::npos) << bad.err;

    const auto info = nlohmann::json::parse(runCli(dir, "info " + project + " --json").out);
    ASSERT_EQ(info["domains"].size(), 2u);
    EXPECT_EQ(info["domains"][0]["name"], "field");
    EXPECT_EQ(info["domains"][0]["images"], 24);
    EXPECT_EQ(info["domains"][1]["name"], "lab");
    EXPECT_NE(runCli(dir, "info " + project).out.find("domain"), std::string::npos);

    const auto gap = runCli(dir, "gap " + project + " --backbone builtin:tinynet-fmnist --domains lab,field --json");
    ASSERT_EQ(gap.exitCode, 0) << gap.err;
    const auto report = nlohmann::json::parse(gap.out);
    ASSERT_EQ(report["sets"].size(), 2u);
    EXPECT_EQ(report["sets"][1]["set"], "field");
    EXPECT_GT(report["between"]["proxyADistance"].get<double>(), 1.0);
    const auto text = runCli(dir, "gap " + project + " --backbone builtin:tinynet-fmnist --domains field");
    EXPECT_NE(text.out.find("shifts most: fine-tune from"), std::string::npos) << text.out;
    const auto unknown = runCli(dir, "gap " + project + " --backbone builtin:tinynet-fmnist --domains scanner");
    EXPECT_NE(unknown.exitCode, 0);
    EXPECT_NE(unknown.err.find(project + ": no domain 'scanner' (domains: field, lab)"), std::string::npos) << unknown.err;

    const auto trained = runCli(dir, "train " + project + " --epochs 1 --training-domains lab --target-domain field --adapt dann --json");
    ASSERT_EQ(trained.exitCode, 0) << trained.err;
    const auto typo = runCli(dir, "train " + project + " --epochs 1 --target-domain feld --adapt coral");
    EXPECT_NE(typo.exitCode, 0);
    EXPECT_NE(typo.err.find("no domain 'feld'"), std::string::npos) << typo.err;
}

TEST(Cli, NonProjectFileFailsWithAMessageNamingIt) {
    TempDir dir;
    testing::writeFile(dir / "notes.graft", std::string(200, 'n'));
    const auto result = runCli(dir, "info " + (dir / "notes.graft").string());
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_NE(result.err.find((dir / "notes.graft").string() + ": is not a Graft project"), std::string::npos)
        << result.err;
}

TEST(Cli, AProjectAnotherProcessWritesIsRefusedForWritingAndShownReadOnly) {
    TempDir dir;
    const auto project = dir / "p.graft";
    testing::createShapesProject(project, 3, 0);
    testing::writeShapesFolder(dir / "more", 2, 1);
    testing::WriterProcess writer(project);
    const std::string holder = "PID " + std::to_string(writer.pid());

    const auto import = runCli(dir, "import " + project.string() + " " + (dir / "more").string());
    EXPECT_EQ(import.exitCode, 1);
    EXPECT_NE(import.err.find(project.string() + ": in use by"), std::string::npos) << import.err;
    EXPECT_NE(import.err.find(holder), std::string::npos) << import.err;

    const auto info = runCli(dir, "info " + project.string() + " --json");
    EXPECT_EQ(info.exitCode, 0) << info.err;
    EXPECT_NE(info.err.find("Showing it read-only"), std::string::npos) << info.err;
    EXPECT_EQ(nlohmann::json::parse(info.out)["classes"].size(), 3u) << info.out;

    writer.kill();
    EXPECT_EQ(runCli(dir, "import " + project.string() + " " + (dir / "more").string()).exitCode, 0);
}

TEST(Cli, UnknownOptionIsAUsageError) {
    TempDir dir;
    const auto result = runCli(dir, "train x.graft --epoks 3");
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_NE(result.err.find("unknown option --epoks"), std::string::npos) << result.err;
}

TEST(Cli, ZooShowPrintsTheLayerGraphAsJson) {
    TempDir dir;
    const auto result = runCli(dir, "zoo show resnet18 --input 224 --json");
    ASSERT_EQ(result.exitCode, 0) << result.err;
    const auto graph = nlohmann::json::parse(result.out);
    EXPECT_EQ(graph["blocks"].size(), 7u); // stem, layer1-4, pool, fc
    EXPECT_EQ(graph["blocks"][4]["name"], "layer4");
    EXPECT_EQ(graph["blocks"][4]["outputShape"], (std::vector<int>{512, 7, 7}));
    EXPECT_EQ(graph["parameters"], 11689512);
}

TEST(Cli, MalformedNumberIsAUsageErrorSayingWhatWasExpected) {
    TempDir dir;
    const auto result = runCli(dir, "train x.graft --epochs three");
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_NE(result.err.find("--epochs expects a whole number, not 'three'"), std::string::npos) << result.err;
}

TEST(Cli, TrainAcceptsFreezePlansDiscriminativeRatesSchedulesInputSizeAndAStepLimit) {
    TempDir dir;
    const auto project = (dir / "p.graft").string();
    writeShapesFolder(dir / "images", 10, 7);
    ASSERT_EQ(runCli(dir, "new " + project).exitCode, 0);
    ASSERT_EQ(runCli(dir, "import " + project + " " + (dir / "images").string()).exitCode, 0);
    const auto trained = runCli(dir, "train " + project + " --freeze upto:stage1 --lr-mult 0.1,1 --optimizer sgd "
                                     "--nesterov --schedule step --warmup-epochs 1 --epochs 2 --input-size 36 --json");
    ASSERT_EQ(trained.exitCode, 0) << trained.err;
    EXPECT_EQ(nlohmann::json::parse(trained.out)["status"], "finished");
    {
        Database db(project, Database::Mode::ReadOnly);
        EXPECT_EQ(RunSpec::fromJson(RunStore(db).run(1).configJson).config.inputSize, 36);
    }

    // A step limit ends the run before its epochs do (3 epochs of 8-image batches are 9 steps or more).
    const auto limited = runCli(dir, "train " + project + " --batch-size 8 --epochs 3 --max-steps 5 --json");
    ASSERT_EQ(limited.exitCode, 0) << limited.err;
    EXPECT_EQ(nlohmann::json::parse(limited.out)["steps"], 5);

    const auto tooSmall = runCli(dir, "train " + project + " --input-size 8");
    EXPECT_EQ(tooSmall.exitCode, 1);
    EXPECT_NE(tooSmall.err.find("input size"), std::string::npos) << tooSmall.err;

    const auto wrongBlock = runCli(dir, "train " + project + " --freeze upto:layer3");
    EXPECT_EQ(wrongBlock.exitCode, 1);
    EXPECT_NE(wrongBlock.err.find("'layer3'"), std::string::npos) << wrongBlock.err;
    EXPECT_NE(wrongBlock.err.find("stage3"), std::string::npos) << wrongBlock.err; // lists the real blocks
    Database db(project, Database::Mode::ReadOnly);
    EXPECT_EQ(db.queryInt("SELECT count(*) FROM runs"), 2) << "the refused run left a record";

    const auto sweep = runCli(dir, "lr-find " + project + " --freeze upto:stage1 --steps 30 --json");
    ASSERT_EQ(sweep.exitCode, 0) << sweep.err;
    const auto result = nlohmann::json::parse(sweep.out);
    EXPECT_GE(result["points"].size(), 3u);
    EXPECT_TRUE(result["suggestedLr"].is_number());
    EXPECT_EQ(db.queryInt("SELECT count(*) FROM runs"), 2) << "lr-find left a run behind";
}

// Written by tests/fixtures/make_torchvision_fixtures.py with Debian's torchvision.
const std::filesystem::path kFixtures = TORCHVISION_FIXTURE_DIR;

TEST(Cli, PredictMatchesTorchvisionProbabilitiesOnA224Png) {
    TempDir dir;
    const auto result = runCli(dir, "predict --backbone resnet18 --weights " + (kFixtures / "predict_resnet18.pth").string() +
                                        " --topk 5 --json " + (kFixtures / "predict_224.png").string());
    ASSERT_EQ(result.exitCode, 0) << result.err;
    const auto top = nlohmann::json::parse(result.out)["predictions"][0]["top"];
    std::ifstream referenceFile(kFixtures / "predict_224.json");
    const auto reference = nlohmann::json::parse(referenceFile);
    ASSERT_EQ(top.size(), 5u);
    for (std::size_t rank = 0; rank < 5; ++rank) {
        EXPECT_EQ(top[rank]["index"], reference[rank]["index"]) << rank;
        EXPECT_EQ(top[rank]["label"], reference[rank]["label"]) << rank;
        EXPECT_NEAR(top[rank]["probability"].get<double>(), reference[rank]["probability"].get<double>(), 1e-4) << rank;
    }
}

TEST(Cli, PredictNamesACorruptImageAndStillAnswersForTheOthers) {
    TempDir dir;
    testing::writeFile(dir / "broken.png", "not a png");
    const auto result = runCli(dir, "predict --backbone resnet18 --weights " + (kFixtures / "predict_resnet18.pth").string() +
                                        " --topk 2 --json " + (dir / "broken.png").string() + " " +
                                        (kFixtures / "predict_224.png").string());
    EXPECT_EQ(result.exitCode, 1);
    const auto predictions = nlohmann::json::parse(result.out)["predictions"];
    ASSERT_EQ(predictions.size(), 2u);
    EXPECT_NE(predictions[0]["error"].get<std::string>().find("broken.png"), std::string::npos) << predictions[0];
    EXPECT_EQ(predictions[1]["top"].size(), 2u);
}

TEST(Cli, PredictWithWeightsOfAnotherArchitectureSaysSo) {
    TempDir dir;
    const auto result = runCli(dir, "predict --backbone resnet18 --weights " + (kFixtures / "mobilenet_v2.pth").string() +
                                        " " + (kFixtures / "predict_224.png").string());
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_NE(result.err.find("mobilenet_v2.pth"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("another architecture"), std::string::npos) << result.err;
}

TEST(Cli, ImportedTorchScriptBackboneTrainsAHead) {
    TempDir dir;
    setenv("GRAFT_CACHE_DIR", (dir / "cache").c_str(), 1);
    const auto imported = runCli(dir, "zoo import-script mnv3s " + (kFixtures / "mobilenet_v3_small_features.pt").string() +
                                          " --input 64 --json");
    ASSERT_EQ(imported.exitCode, 0) << imported.err;
    EXPECT_EQ(nlohmann::json::parse(imported.out)["featureDim"], 576);

    // zoo list names every backbone a run can start from: native, built in, imported.
    const auto listed = runCli(dir, "zoo list --json");
    ASSERT_EQ(listed.exitCode, 0) << listed.err;
    std::map<std::string, nlohmann::json> byName;
    for (const auto& entry : nlohmann::json::parse(listed.out)) byName[entry["name"]] = entry;
    ASSERT_TRUE(byName.contains("resnet18"));
    ASSERT_TRUE(byName.contains("script:mnv3s"));
    EXPECT_EQ(byName["script:mnv3s"]["inputSize"], 64);
    ASSERT_TRUE(byName.contains("builtin:tinynet-fmnist"));
    const auto manifest = nlohmann::json::parse(testing::readFile(std::string(GRAFT_SOURCE_DIR) + "/resources/pretrained/tinynet-fmnist.json"));
    EXPECT_EQ(byName["builtin:tinynet-fmnist"]["weights"]["sourceTestAccuracy"], manifest["testAccuracy"]);
    EXPECT_EQ(byName["builtin:tinynet-fmnist"]["weights"]["sourceClasses"], manifest["source"]["classes"].size());
    EXPECT_NE(runCli(dir, "zoo list").out.find("builtin:tinynet-fmnist"), std::string::npos);

    const auto project = (dir / "p.graft").string();
    writeShapesFolder(dir / "images", 20, 6);
    ASSERT_EQ(runCli(dir, "new " + project).exitCode, 0);
    ASSERT_EQ(runCli(dir, "import " + project + " " + (dir / "images").string()).exitCode, 0);
    const auto trained = runCli(dir, "train " + project + " --arch script:mnv3s --epochs 1 --json");
    unsetenv("GRAFT_CACHE_DIR");
    ASSERT_EQ(trained.exitCode, 0) << trained.err;
    EXPECT_EQ(nlohmann::json::parse(trained.out)["status"], "finished");
}

// Every workload runs on both sides, and the table's arithmetic holds: each ratio is the two
// medians' quotient, the way round that makes > 1 mean Graft did better, and "met" follows it.
TEST(Cli, BenchQuickRunMeasuresEveryWorkloadOnBothSides) {
    TempDir dir;
    const auto result = runCli(dir, "bench --quick --json");
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_NE(result.err.find("ratio > 1: Graft is better"), std::string::npos) << result.err; // the table
    const auto report = nlohmann::json::parse(result.out);
    EXPECT_GT(report["machine"]["cores"].get<int>(), 0);
    EXPECT_EQ(report["machine"]["graftThreads"], report["machine"]["pytorchThreads"]);
    EXPECT_GT(report["gemmPeakGflops"].get<double>(), 0);
    std::set<std::string> ids;
    for (const auto& row : report["workloads"]) {
        const std::string name = row["id"].get<std::string>() + " " + row["name"].get<std::string>();
        ids.insert(row["id"]);
        const double graft = row["graft"]["median"], reference = row["referenceFigure"]["median"];
        EXPECT_GT(graft, 0) << name;
        EXPECT_GT(reference, 0) << name;
        const double expected = row["ratioMeaning"] == "Graft / reference" ? graft / reference : reference / graft;
        EXPECT_NEAR(row["ratio"].get<double>(), expected, 1e-9 * expected) << name;
        if (!row["target"].is_null()) {
            EXPECT_EQ(row["met"].get<bool>(), row["ratio"].get<double>() >= row["target"].get<double>()) << name;
        }
    }
    EXPECT_EQ(ids, (std::set<std::string>{"W1", "W2", "W3", "W4", "W5", "W6"}));
}

TEST(Cli, BenchOnlyRunsTheNamedWorkloadsAndRefusesUnknownOnes) {
    TempDir dir;
    const auto result = runCli(dir, "bench --quick --only W2 --json");
    ASSERT_EQ(result.exitCode, 0) << result.err;
    const auto report = nlohmann::json::parse(result.out);
    std::set<std::string> names;
    for (const auto& row : report["workloads"]) names.insert(row["name"].get<std::string>());
    EXPECT_EQ(names, (std::set<std::string>{"ResNet-18 inference", "ResNet-18 inference, BN unfolded", "GEMM 512^2 peak"}));
    const auto unknown = runCli(dir, "bench --quick --only W2,W9");
    EXPECT_EQ(unknown.exitCode, 2);
    EXPECT_NE(unknown.err.find("'W9'"), std::string::npos) << unknown.err;
}

TEST(Cli, BenchNamesAMissingReferenceScript) {
    TempDir dir;
    const auto missing = (dir / "nowhere.py").string();
    const auto result = runCli(dir, "bench --quick --reference " + missing);
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_NE(result.err.find(missing), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("--reference"), std::string::npos) << result.err;
}

TEST(Cli, BenchSaysHowTheReferenceProcessEnded) {
    TempDir dir;
    const auto result = runCli(dir, "bench --quick --python /bin/false");
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_NE(result.err.find("/bin/false exited with status 1 while starting"), std::string::npos) << result.err;
}

// With BatchNorm statistics of the training set, 10 seeds pin each arm down to about +-0.02.
// Measured: fine-tuning +0.025 [+0.011, +0.040] at k=5 ("transfer helps"), +0.004 [-0.009, +0.018]
// at k=10; the probe far below scratch at both.
TEST(Cli, DemoRunFindsTransferHelpingAtFiveLabelsAndTheProbeNegative) {
    GRAFT_REQUIRE_DATA("/usr/share/doc/opencv-doc/examples/data/digits.png", "opencv-doc");
    TempDir dir;
    const auto demo = runCli(dir, "demo --out " + (dir / "demo.graft").string() + " --run");
    ASSERT_EQ(demo.exitCode, 0) << demo.err;
    EXPECT_NE(demo.out.find("100 labelled for training (10 per digit), 2450 unlabelled and 2450 held out"), std::string::npos)
        << demo.out;
    const auto report = nlohmann::json::parse(testing::readFile(dir / "demo-experiment-1.json"));
    std::map<std::pair<std::string, std::string>, nlohmann::json> results; // by arm and labels per class
    for (const auto& result : report.at("results")) results[{result.at("arm"), result.at("labelsPerClass")}] = result;
    ASSERT_EQ(results.size(), 6u);
    EXPECT_EQ(report.at("metric"), "accuracy") << "ten labels of every digit: even classes";
    for (const auto& [key, result] : results) {
        const auto name = key.first + " at k=" + key.second;
        EXPECT_EQ(result.at("score").at("n"), 10) << name;
        EXPECT_EQ(result.at("calibrationError").at("n"), 10) << name;
        const double halfWidth = result.at("score").at("high").get<double>() - result.at("score").at("mean").get<double>();
        EXPECT_LT(halfWidth, 0.03) << name << ": its 95 % interval is wider than the seeds should leave it";
        if (key.first == "probe") {
            EXPECT_EQ(result.at("versusBaseline").at("verdict"), "negative transfer") << name;
        }
    }
    EXPECT_EQ((results[{"fine-tune", "5"}].at("versusBaseline").at("verdict")), "transfer helps");
    EXPECT_NE((results[{"fine-tune", "10"}].at("versusBaseline").at("verdict")), "negative transfer");

    const auto again = runCli(dir, "demo --out " + (dir / "demo.graft").string());
    EXPECT_NE(again.out.find("already exists"), std::string::npos) << again.out;
}

TEST(Cli, DemoWithoutTheDigitsNamesTheDebianPackageAndWritesNothing) {
    TempDir dir;
    const auto demo = runCli(dir, "demo --out " + (dir / "demo.graft").string() + " --digits " + (dir / "none.png").string());
    EXPECT_EQ(demo.exitCode, 1);
    EXPECT_NE(demo.err.find("none.png: not found; OpenCV's digits come with Debian's opencv-doc package (sudo apt install opencv-doc)"),
              std::string::npos) << demo.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "demo.graft"));
}

// Keeps the committed recipe honest: its own command, cut to a fraction of an epoch, still runs
// and makes weights of the same shapes, held-out accuracy well above chance.
TEST(Cli, PretrainCommittedRecipeStillTrainsForAFractionOfAnEpoch) {
    GRAFT_REQUIRE_DATA("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", "dataset-fashion-mnist");
    TempDir dir;
    const std::filesystem::path committed = std::filesystem::path(GRAFT_SOURCE_DIR) / "resources/pretrained/tinynet-fmnist.json";
    const auto manifest = nlohmann::json::parse(testing::readFile(committed));
    std::string command = manifest.at("command");
    ASSERT_EQ(command.rfind("graft-cli pretrain ", 0), 0u) << command;
    const auto out = command.find(" --out ");
    ASSERT_NE(out, std::string::npos);
    command = command.substr(std::string("graft-cli ").size(), out - std::string("graft-cli ").size()) + " --max-steps 40 --out " +
              (dir / "out").string();
    const auto pretrained = runCli(dir, command);
    ASSERT_EQ(pretrained.exitCode, 0) << pretrained.err;
    const auto rerun = nlohmann::json::parse(testing::readFile(dir / "out" / "tinynet-fmnist.json"));
    auto recipe = rerun.at("recipe");
    EXPECT_EQ(recipe.at("maxSteps"), 40);
    recipe["maxSteps"] = 0;
    // Fields added since the manifest was written take their defaults, which is what it trained with.
    EXPECT_EQ(recipe, nlohmann::json::parse(TrainConfig::fromJson(manifest.at("recipe").dump()).toJson()));
    EXPECT_EQ(rerun.at("source"), manifest.at("source"));
    EXPECT_EQ(rerun.at("steps"), 40);
    EXPECT_GT(rerun.at("testAccuracy").get<double>(), 0.4) << "ten classes: chance is 0.1";
    EXPECT_TRUE(std::filesystem::is_regular_file(dir / "out" / "tinynet-fmnist.pt"));
    EXPECT_FALSE(std::filesystem::exists(dir / "out" / ".tinynet-fmnist.pretraining.graft"));
}

TEST(Cli, PretrainOnUnlabelledImagesIsRefusedAndWritesNothing) {
    TempDir dir;
    writeShapesFolder(dir / "shapes", 2, 0);
    std::vector<std::filesystem::path> loose;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir / "shapes"))
        if (entry.is_regular_file()) loose.push_back(entry.path());
    const auto pretrained = runCli(dir, "pretrain " + loose.front().string() + " --name shapes --out " + (dir / "out").string());
    EXPECT_EQ(pretrained.exitCode, 1);
    EXPECT_NE(pretrained.err.find("the training sources hold no labelled images"), std::string::npos) << pretrained.err;
    EXPECT_TRUE(std::filesystem::is_empty(dir / "out"));
}

} // namespace
} // namespace graft
