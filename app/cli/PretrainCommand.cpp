#include "Commands.h"
#include "ConsoleTrainObserver.h"
#include "InterruptSignal.h"

#include "train/Pretraining.h"
#include "train/SelfSupervisedPretraining.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <sstream>

namespace graft::cli {
namespace {

// Every setting spelled out, so the manifest's command reproduces the weights whatever the defaults become.
std::string reproducingCommand(const PretrainingRequest& request) {
    const TrainConfig& config = request.config;
    std::ostringstream command;
    command << "graft-cli pretrain";
    for (const auto& source : request.trainSources) command << " " << source.string();
    for (const auto& source : request.testSources) command << " --test " << source.string();
    command << " --name " << request.name << " --arch " << config.arch << " --epochs " << config.epochs
            << " --batch-size " << config.batchSize << " --optimizer " << config.optimizer << " --lr "
            << config.learningRate << " --weight-decay " << config.weightDecay << " --schedule " << config.schedule
            << " --seed " << config.seed;
    if (config.maxSteps > 0) command << " --max-steps " << config.maxSteps;
    if (!config.channelsLast) command << " --no-channels-last";
    if (!config.recalibrateBatchNorm) command << " --no-bn-recalibration";
    command << " --out " << request.outputFolder.string();
    return command.str();
}

std::string selfSupervisedCommand(const SelfSupervisedRequest& request) {
    const TrainConfig& config = request.config;
    std::ostringstream command;
    command << "graft-cli pretrain " << request.project.string() << " --self-supervised simsiam --name " << request.name
            << " --arch " << config.arch << " --init " << config.init << " --epochs " << config.epochs << " --batch-size "
            << config.batchSize << " --optimizer " << config.optimizer << " --lr " << config.learningRate << " --weight-decay "
            << config.weightDecay << " --augment " << config.augment << " --seed " << config.seed;
    if (config.inputSize > 0) command << " --input-size " << config.inputSize;
    command << " --out " << request.outputFolder.string();
    return command.str();
}

// pretrain PROJECT --self-supervised simsiam: the project's own training and unlabelled images.
int commandSelfSupervisedPretrain(Arguments& args, const std::string& method) {
    if (method != "simsiam") throw UsageError("--self-supervised knows simsiam, not '" + method + "'");
    SelfSupervisedRequest request;
    if (args.positionals().size() != 1) throw UsageError("expected one project: pretrain PROJECT.graft --self-supervised simsiam");
    request.project = args.positionals().front();
    const auto name = args.option("--name");
    if (!name) throw UsageError("--name NAME is required: it names the weights file and its manifest");
    request.name = *name;
    TrainConfig& config = request.config;
    // SimSiam's recipe: SGD with momentum at 0.05 per 256 images, weight decay 1e-4, cosine.
    config.optimizer = "sgd";
    config.learningRate = 0.05;
    config.weightDecay = 1e-4;
    config.augment = "standard";
    config.arch = args.text("--arch", config.arch);
    config.inputSize = args.integer("--input-size", config.inputSize);
    config.init = args.text("--init", config.init);
    config.epochs = args.integer("--epochs", config.epochs);
    config.batchSize = args.integer("--batch-size", config.batchSize);
    config.optimizer = args.text("--optimizer", config.optimizer);
    config.learningRate = args.number("--lr", config.learningRate);
    config.weightDecay = args.number("--weight-decay", config.weightDecay);
    config.augment = args.text("--augment", config.augment);
    config.seed = std::uint64_t(args.integer("--seed", int(config.seed)));
    config.device = args.text("--device", config.device);
    config.checkpointMinutes = args.number("--checkpoint-minutes", config.checkpointMinutes);
    request.outputFolder = args.text("--out", ".");
    request.resume = args.flag("--resume");
    const bool json = args.flag("--json");
    args.rejectUnused();
    request.command = selfSupervisedCommand(request);

    InterruptSignal interrupt;
    ConsoleTrainObserver console(json, /*withAccuracy=*/false);
    const auto result = pretrainSelfSupervised(request, console, interrupt.token());
    if (result.status != RunStatus::Finished) {
        std::cerr << "Pretraining " << runStatusName(result.status) << "; continue it with the same command and --resume\n";
        return result.status == RunStatus::Cancelled ? kExitCancelled : 1;
    }
    const auto optionalJson = [](const std::optional<double>& value) { return value ? nlohmann::json(*value) : nlohmann::json(nullptr); };
    if (json) {
        std::cout << nlohmann::json{{"weights", result.weightsFile.string()},
                                    {"manifest", result.manifestFile.string()},
                                    {"images", result.images},
                                    {"knnAccuracy", optionalJson(result.knnAccuracy)},
                                    {"initialKnnAccuracy", optionalJson(result.initialKnnAccuracy)},
                                    {"sha256", result.sha256}}
                  << "\n";
        return 0;
    }
    std::cout << "Pretrained " << request.name << " (SimSiam) on " << result.images << " images";
    if (result.knnAccuracy && result.initialKnnAccuracy)
        std::cout << "; held-out kNN accuracy " << *result.knnAccuracy << " (the initial weights: " << *result.initialKnnAccuracy << ")";
    std::cout << "\nWeights:  " << result.weightsFile.string() << " (SHA-256 " << result.sha256 << ")\nManifest: "
              << result.manifestFile.string() << "\nTrain on them with --init " << result.weightsFile.string() << "\n";
    return 0;
}

} // namespace

int commandPretrain(Arguments& args) {
    if (const auto method = args.option("--self-supervised")) return commandSelfSupervisedPretrain(args, *method);
    PretrainingRequest request;
    for (const auto& source : args.positionals()) request.trainSources.emplace_back(source);
    for (const auto& source : args.repeated("--test")) request.testSources.emplace_back(source);
    const auto name = args.option("--name");
    if (!name) throw UsageError("--name NAME is required: it names the weights file and its manifest");
    request.name = *name;
    TrainConfig& config = request.config;
    config.arch = args.text("--arch", config.arch);
    config.epochs = args.integer("--epochs", config.epochs);
    config.batchSize = args.integer("--batch-size", config.batchSize);
    config.optimizer = args.text("--optimizer", config.optimizer);
    config.learningRate = args.number("--lr", config.learningRate);
    config.weightDecay = args.number("--weight-decay", config.weightDecay);
    config.schedule = args.text("--schedule", config.schedule);
    config.seed = std::uint64_t(args.integer("--seed", int(config.seed)));
    config.maxSteps = args.integer("--max-steps", 0);
    config.device = args.text("--device", config.device);
    config.channelsLast = !args.flag("--no-channels-last");
    config.recalibrateBatchNorm = !args.flag("--no-bn-recalibration");
    request.outputFolder = args.text("--out", ".");
    const bool json = args.flag("--json");
    args.rejectUnused();
    if (request.trainSources.empty()) throw UsageError("expected the labelled source data (what import accepts)");
    request.command = reproducingCommand(request);

    InterruptSignal interrupt;
    ConsoleProgress importProgress;
    ConsoleTrainObserver console(json);
    const auto result = pretrainBackbone(
        request, console,
        [&](const Progress& update) { importProgress.update(update.stage, update.done, update.total); },
        interrupt.token());
    importProgress.finish();
    if (result.status != RunStatus::Finished) {
        std::cerr << "Pretraining " << runStatusName(result.status) << "; nothing was written\n";
        return result.status == RunStatus::Cancelled ? kExitCancelled : 1;
    }
    if (json) {
        std::cout << nlohmann::json{{"weights", result.weightsFile.string()},
                                    {"manifest", result.manifestFile.string()},
                                    {"trainImages", result.trainImages},
                                    {"testImages", result.testImages},
                                    {"testAccuracy", result.testAccuracy ? nlohmann::json(*result.testAccuracy) : nullptr},
                                    {"sha256", result.sha256}}
                  << "\n";
        return 0;
    }
    std::cout << "Pretrained " << request.name << " on " << result.trainImages << " images";
    if (result.testAccuracy) std::cout << "; held-out accuracy " << *result.testAccuracy << " on " << result.testImages << " images";
    std::cout << "\nWeights:  " << result.weightsFile.string() << " (SHA-256 " << result.sha256 << ")\nManifest: "
              << result.manifestFile.string() << "\nTrain on them with --init " << result.weightsFile.string()
              << " --new-head\n";
    return 0;
}

} // namespace graft::cli
