#include "train/TrainingSession.h"

#include "common/Version.h"
#include "data/Splits.h"
#include "models/Architectures.h"
#include "models/PthReader.h"
#include "models/Weights.h"
#include "project/ProjectFile.h"
#include "train/ComputeSetup.h"
#include "train/FanOutObserver.h"
#include "train/ProjectTensors.h"
#include "train/RunRecorder.h"
#include "train/RunSpec.h"
#include "train/Trainer.h"

#include <torch/utils.h>
#include <torch/version.h>

#include <sstream>

namespace graft {
namespace {

std::string deviceName(const torch::Device& device) {
    std::ostringstream text;
    text << device;
    return text.str();
}

} // namespace

TrainingResult runTraining(const TrainingRequest& request, TrainObserver& observer, std::stop_token stop) {
    const TrainConfig& config = request.config;
    config.validate();
    const ArchitectureSpec spec = architectureSpec(config.arch);
    const torch::Device device = resolveDevice(config.device);
    useAllCores();

    Database db = openProject(request.project);
    ProjectStore store(db);
    RunSpec runSpec{config, {}};
    for (const auto& summary : store.classSummaries())
        if (summary.train > 0) runSpec.classes.push_back(summary.name);
    auto trainImages = store.labeledImagesInSplit(Split::Train);
    if (trainImages.empty() || runSpec.classes.size() < 2)
        throw Error(request.project.string() +
                    ": training needs labelled training images of at least two classes; import and label images first");
    if (config.labelsPerClass > 0) trainImages = sampleEachClass(trainImages, config.labelsPerClass, config.seed);

    const auto classIndex = classIndexByName(store, runSpec.classes);
    observer.onLog("Preparing " + std::to_string(trainImages.size()) + " training images");
    const LabeledTensors trainSet = loadTensors(store, trainImages, classIndex, spec.preprocess);
    const LabeledTensors valSet = loadTensors(store, store.labeledImagesInSplit(Split::Val), classIndex, spec.preprocess);

    TrainingResult result;
    torch::manual_seed(config.seed);
    auto model = createClassifier(spec, int(runSpec.classes.size()));
    if (config.init != "scratch") {
        // Graft's own weights files and torchvision's .pth files alike, through the restricted reader.
        const auto report = loadMatchingWeights(*model, readPthFile(config.init), config.init);
        if (report.loaded.empty())
            throw Error(config.init + ": shares no tensor with a " + config.arch + " model; is it for another architecture?");
        result.initNotes = report.skipped;
        for (const auto& name : report.missing) result.initNotes.push_back(name + ": not in " + config.init);
    }

    // Built before the run is recorded: a freeze plan naming a missing block leaves no trace.
    Trainer trainer(model, config, device);

    RunStore runs(db);
    result.runId = runs.beginRun({request.arm, config.arch, config.init == "scratch" ? "scratch" : "weights",
                                  config.seed, runSpec.toJson(), kGraftVersion, TORCH_VERSION});
    result.trainImages = trainSet.size();
    result.valImages = valSet.size();
    result.device = deviceName(device);

    try {
        RunRecorder recorder(request.project, result.runId);
        FanOutObserver fanOut({&recorder, &observer});
        const TrainOutcome outcome = trainer.train(trainSet, valSet, fanOut, stop);
        result.status = outcome.status == TrainStatus::Finished ? RunStatus::Finished : RunStatus::Cancelled;
        result.epochsCompleted = outcome.epochsCompleted;
        result.steps = outcome.steps;
        if (outcome.epochsCompleted > 0 && outcome.lastEpoch.validated) {
            result.valAccuracy = outcome.lastEpoch.valAccuracy;
            result.valLoss = outcome.lastEpoch.valLoss;
        }
        if (result.status == RunStatus::Finished && !request.saveWeightsTo.empty())
            writeWeightsFile(request.saveWeightsTo, serializeWeights(*model));
    } catch (const std::exception& error) {
        runs.endRun(result.runId, RunStatus::Failed, error.what());
        throw;
    }
    runs.endRun(result.runId, result.status,
                result.status == RunStatus::Cancelled ? "stopped on request" : std::string());
    return result;
}

} // namespace graft
