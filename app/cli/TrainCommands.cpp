#include "Commands.h"
#include "ConsoleTrainObserver.h"
#include "DistributedLaunch.h"
#include "InterruptSignal.h"

#include "common/Sha256.h"
#include "common/Version.h"
#include "train/DataParallelWorker.h"
#include "train/LearningRateFinder.h"
#include "train/RunEvaluation.h"
#include "train/TrainJob.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace graft::cli {
namespace {

std::string requireProjectPath(Arguments& args) {
    if (args.positionals().size() != 1) throw UsageError("expected exactly one project file (FILE.graft)");
    return args.positionals().front();
}

// What train and lr-find share: the model, its initialisation and freezing, the optimizer, the data.
TrainConfig modelAndOptimizerOptions(Arguments& args) {
    TrainConfig config;
    config.arch = args.text("--arch", config.arch);
    config.inputSize = args.integer("--input-size", config.inputSize);
    config.init = args.text("--init", config.init);
    if (const auto weights = args.option("--weights")) config.init = *weights; // the zoo's word for it
    config.batchSize = args.integer("--batch-size", config.batchSize);
    config.optimizer = args.text("--optimizer", config.optimizer);
    config.momentum = args.number("--momentum", config.momentum);
    config.nesterov = args.flag("--nesterov");
    config.weightDecay = args.number("--weight-decay", config.weightDecay);
    config.freeze = args.text("--freeze", config.freeze);
    config.newHead = args.flag("--new-head");
    config.lrMultipliers = args.text("--lr-mult", config.lrMultipliers);
    config.featureCache = !args.flag("--no-feature-cache");
    config.classBalanced = args.flag("--balanced");
    config.seed = std::uint64_t(args.integer("--seed", int(config.seed)));
    config.labelsPerClass = args.integer("--labels-per-class", config.labelsPerClass);
    config.device = args.text("--device", config.device);
    config.tasks = args.text("--tasks", config.tasks);
    config.taskWeights = args.text("--task-weights", config.taskWeights);
    return config;
}

// Step progress for the learning-rate sweep.
class SweepProgress : public TrainObserver {
public:
    SweepProgress(int steps, bool quiet) : steps_(steps), quiet_(quiet) {}
    void onStep(const StepEvent& event) override {
        char detail[64];
        std::snprintf(detail, sizeof detail, "lr %.2e  loss %.4f", event.learningRate, event.loss);
        progress_.update("sweeping", event.step, steps_, detail);
    }
    void onLog(std::string_view message) override {
        if (!quiet_) std::fprintf(stderr, "%.*s\n", int(message.size()), message.data());
    }
    void finish() { progress_.finish(); }

private:
    int steps_;
    bool quiet_;
    ConsoleProgress progress_;
};

nlohmann::json optionalJson(const std::optional<double>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// What every rank of a job must agree on: Graft's version, the project's file name (its folder
// may differ between nodes) and the run's settings.
std::string jobIdentity(const TrainingRequest& request) {
    const std::string config = request.config.toJson();
    const std::string settings =
        request.resumeRun > 0 ? "--resume " + std::to_string(request.resumeRun)
                              : "settings " + sha256Hex({reinterpret_cast<const std::uint8_t*>(config.data()), config.size()}).substr(0, 12);
    return std::string("Graft ") + kGraftVersion + ", project " + request.project.filename().string() + ", train " + settings;
}

// Runs the request with console progress (Ctrl+C stops it) and prints the result. Distributed,
// rank 0 trains the request with the others, which train what it sends them.
int trainAndReport(TrainingRequest request, bool json, const DistributedOptions& distributed) {
    ConsoleTrainObserver console(json);
    InterruptSignal interrupt;
    std::unique_ptr<ProcessGroup> group;
    if (distributed.enabled) {
        group = joinJob(jobIdentity(request), distributed);
        if (group->leads()) request.dataParallel = group.get();
        request.config.device = group->deviceFor(request.config.device); // the ranks of a node spread over its GPUs
    }
    const auto wait = [&](auto& job) {
        while (!job.waitFor(std::chrono::milliseconds(100)))
            if (interrupt.received()) job.requestStop();
        return job.result();
    };
    if (group && !group->leads()) {
        TrainJob job([&](std::stop_token stop) { return trainAsWorker(*group, request.config.device, console, stop); });
        const TrainingResult result = wait(job);
        if (!json)
            std::printf("%s: %s after %d epoch(s), %lld steps on its share of %lld training images (%s)\n",
                        group->describeRank().c_str(), std::string(runStatusName(result.status)).c_str(),
                        result.epochsCompleted, (long long)result.steps, (long long)result.trainImages, result.device.c_str());
        else
            std::cout << nlohmann::json{{"rank", group->rank()}, {"status", runStatusName(result.status)},
                                        {"epochs", result.epochsCompleted}, {"steps", result.steps}}
                      << "\n";
        return result.status == RunStatus::Cancelled ? kExitCancelled : 0;
    }
    TrainJob job(request, console);
    const TrainingResult result = wait(job);

    if (json) {
        std::cout << nlohmann::json{{"run", result.runId},
                                    {"status", runStatusName(result.status)},
                                    {"epochs", result.epochsCompleted},
                                    {"stoppedEarly", result.stoppedEarly},
                                    {"steps", result.steps},
                                    {"trainImages", result.trainImages},
                                    {"valImages", result.valImages},
                                    {"valAccuracy", optionalJson(result.valAccuracy)},
                                    {"valLoss", optionalJson(result.valLoss)},
                                    {"device", result.device},
                                    {"initNotes", result.initNotes}}
                  << "\n";
    } else {
        for (const auto& note : result.initNotes) std::printf("initialised randomly: %s\n", note.c_str());
        std::printf("Run %lld %s after %d epoch(s), %lld steps on %lld training images (%s)\n",
                    (long long)result.runId, std::string(runStatusName(result.status)).c_str(), result.epochsCompleted,
                    (long long)result.steps, (long long)result.trainImages, result.device.c_str());
        if (result.valAccuracy)
            std::printf("Validation accuracy %.4f on %lld images\n", *result.valAccuracy, (long long)result.valImages);
        if (!request.saveWeightsTo.empty() && result.status == RunStatus::Finished)
            std::printf("Weights written to %s\n", request.saveWeightsTo.c_str());
    }
    return result.status == RunStatus::Cancelled ? kExitCancelled : 0;
}

} // namespace

int commandTrain(Arguments& args) {
    TrainingRequest request;
    request.project = requireProjectPath(args);
    TrainConfig& config = request.config;
    if (const auto run = args.option("--resume")) {
        try {
            request.resumeRun = std::stoll(*run);
        } catch (const std::exception&) {
            throw UsageError("--resume expects a run id, not '" + *run + "'");
        }
        // The run keeps its own settings; only where it runs may change.
        config.device = args.text("--device", config.device);
        request.saveWeightsTo = args.text("--save-weights", "");
        const bool json = args.flag("--json");
        const auto distributed = distributedOptions(args);
        try {
            args.rejectUnused();
        } catch (const UsageError& error) {
            throw UsageError(std::string(error.what()) + " with --resume: a resumed run keeps its own settings");
        }
        return trainAndReport(request, json, distributed);
    }
    config = modelAndOptimizerOptions(args);
    config.epochs = args.integer("--epochs", config.epochs);
    config.minImagesSeen = args.integer("--min-images-seen", int(config.minImagesSeen));
    config.maxSteps = args.integer("--max-steps", int(config.maxSteps));
    config.learningRate = args.number("--lr", config.learningRate);
    config.schedule = args.text("--schedule", config.schedule);
    config.warmupEpochs = args.number("--warmup-epochs", config.warmupEpochs);
    config.stepEpochs = args.integer("--step-epochs", config.stepEpochs);
    config.stepGamma = args.number("--gamma", config.stepGamma);
    config.earlyStopPatience = args.integer("--patience", config.earlyStopPatience);
    config.earlyStopMetric = args.text("--patience-metric", config.earlyStopMetric);
    config.augment = args.text("--augment", config.augment);
    config.augmentedViews = args.integer("--cached-views", config.augmentedViews);
    config.loaderThreads = args.integer("--loader-threads", config.loaderThreads);
    const auto inputMemory = args.integer("--input-memory", int(config.inputMemoryBudgetBytes >> 20));
    if (inputMemory < 1) throw UsageError("--input-memory expects megabytes, at least 1");
    config.inputMemoryBudgetBytes = std::int64_t(inputMemory) << 20;
    config.checkpointMinutes = args.number("--checkpoint-minutes", config.checkpointMinutes);
    config.mixedPrecision = !args.flag("--no-mixed-precision");
    config.channelsLast = !args.flag("--no-channels-last");
    config.recalibrateBatchNorm = !args.flag("--no-bn-recalibration");
    config.semiSupervised = args.text("--semi-supervised", config.semiSupervised);
    config.unlabelledRatio = args.integer("--unlabelled-ratio", config.unlabelledRatio);
    config.confidenceThreshold = args.number("--threshold", config.confidenceThreshold);
    config.unlabelledWeight = args.number("--unlabelled-weight", config.unlabelledWeight);
    config.unlabelledPool = args.text("--unlabelled-pool", config.unlabelledPool);
    config.emaDecay = args.number("--ema", config.emaDecay);
    config.trainingDomains = args.text("--training-domains", config.trainingDomains);
    config.targetDomain = args.text("--target-domain", config.targetDomain);
    config.domainAdaptation = args.text("--adapt", config.domainAdaptation);
    config.adaptationWeight = args.number("--adaptation-weight", config.adaptationWeight);
    request.saveWeightsTo = args.text("--save-weights", "");
    const bool json = args.flag("--json");
    const auto distributed = distributedOptions(args);
    args.rejectUnused();
    return trainAndReport(request, json, distributed);
}

int commandEval(Arguments& args) {
    const auto path = requireProjectPath(args);
    const auto runText = args.option("--run");
    const Split split = parseSplit(args.text("--split", "test"));
    const bool json = args.flag("--json");
    const auto task = args.text("--task", "");
    args.rejectUnused();
    if (!runText) throw UsageError("--run ID is required (see graft-cli info for run ids)");
    std::int64_t runId = 0;
    try {
        runId = std::stoll(*runText);
    } catch (const std::exception&) {
        throw UsageError("--run expects a run id, not '" + *runText + "'");
    }

    const auto result = evaluateRun(path, runId, split, {}, TemperatureFit::None, task);
    const auto& report = result.report;
    if (json) {
        auto misclassified = nlohmann::json::array();
        for (const auto& error : result.misclassified)
            misclassified.push_back({{"image", error.image}, {"actual", error.actual}, {"predicted", error.predicted}});
        auto classes = nlohmann::json::array();
        for (const auto& metrics : report.classes)
            classes.push_back({{"name", metrics.name},
                               {"support", metrics.support},
                               {"precision", metrics.precision},
                               {"recall", metrics.recall},
                               {"f1", metrics.f1}});
        std::cout << nlohmann::json{{"run", result.runId},
                                    {"split", splitName(result.split)},
                                    {"checkpointEpoch", result.checkpointEpoch},
                                    {"checkpoint", result.bestCheckpoint ? "best" : "last"},
                                    {"images", result.images},
                                    {"accuracy", result.accuracy},
                                    {"loss", result.loss},
                                    {"macroF1", report.macroF1},
                                    {"ece", result.reliability.ece},
                                    {"classes", classes},
                                    {"confusion", report.confusion},
                                    {"misclassified", misclassified}}
                  << "\n";
        return 0;
    }
    std::printf("Run %lld (%s checkpoint, epoch %lld) on %s: accuracy %.4f, loss %.4f over %lld images\n\n",
                (long long)result.runId, result.bestCheckpoint ? "best" : "last", (long long)result.checkpointEpoch,
                std::string(splitName(result.split)).c_str(), result.accuracy, result.loss, (long long)result.images);
    std::printf("%-24s %9s %9s %9s %9s\n", "class", "precision", "recall", "f1", "images");
    for (const auto& metrics : report.classes)
        std::printf("%-24s %9.4f %9.4f %9.4f %9lld\n", metrics.name.c_str(), metrics.precision, metrics.recall, metrics.f1,
                    (long long)metrics.support);
    std::printf("%-24s %29.4f\n", "macro F1", report.macroF1);
    std::printf("%-24s %29.4f   (expected calibration error, 15 bins)\n", "ECE", result.reliability.ece);
    std::printf("\nConfusion (rows: true class, columns: predicted)\n");
    for (std::size_t row = 0; row < report.confusion.size(); ++row) {
        std::printf("%-24s", report.classes[row].name.c_str());
        for (const auto count : report.confusion[row]) std::printf(" %6lld", (long long)count);
        std::printf("\n");
    }
    return 0;
}

int commandLrFind(Arguments& args) {
    const std::filesystem::path project = requireProjectPath(args);
    const TrainConfig config = modelAndOptimizerOptions(args);
    LearningRateSweepRange range;
    range.start = args.number("--start", range.start);
    range.end = args.number("--end", range.end);
    range.steps = args.integer("--steps", range.steps);
    const bool json = args.flag("--json");
    args.rejectUnused();

    InterruptSignal interrupt;
    SweepProgress progress(range.steps, json);
    const auto sweep = findLearningRate(project, config, range, progress, interrupt.token());
    progress.finish();
    if (json) {
        auto points = nlohmann::json::array();
        for (const auto& point : sweep.points)
            points.push_back({{"lr", point.learningRate}, {"loss", point.loss}, {"smoothedLoss", point.smoothedLoss}});
        std::cout << nlohmann::json{{"points", points},
                                    {"suggestedLr", sweep.suggested > 0 ? nlohmann::json(sweep.suggested) : nullptr},
                                    {"stopReason", sweep.stopReason}}
                  << "\n";
        return 0;
    }
    // The curve as text: smoothed loss against the rate, about 25 rows.
    double lowest = INFINITY, highest = -INFINITY;
    for (const auto& point : sweep.points)
        lowest = std::min(lowest, point.smoothedLoss), highest = std::max(highest, point.smoothedLoss);
    const std::size_t stride = std::max<std::size_t>(1, sweep.points.size() / 25);
    std::printf("%10s %9s\n", "lr", "loss");
    for (std::size_t i = 0; i < sweep.points.size(); i += stride) {
        const auto& point = sweep.points[i];
        const int width = highest > lowest ? int(40 * (point.smoothedLoss - lowest) / (highest - lowest)) : 0;
        std::printf("%10.2e %9.4f %s\n", point.learningRate, point.smoothedLoss, std::string(std::size_t(width) + 1, '#').c_str());
    }
    if (!sweep.stopReason.empty()) std::printf("Stopped early: %s\n", sweep.stopReason.c_str());
    if (sweep.suggested > 0)
        std::printf("Suggested learning rate: %.2e (steepest fall of the loss)\n  graft-cli train %s --lr %.2e ...\n",
                    sweep.suggested, project.c_str(), sweep.suggested);
    else std::printf("Too few steps to suggest a learning rate; widen --start/--end or add --steps.\n");
    return 0;
}

} // namespace graft::cli
