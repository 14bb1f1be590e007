#include "train/TrainingSession.h"

#include "common/AtomicFile.h"
#include "common/Version.h"
#include "models/Weights.h"
#include "train/CheckpointWeights.h"
#include "project/ProjectFile.h"
#include "train/ComputeSetup.h"
#include "train/CpuBlockCache.h"
#include "train/FanOutObserver.h"
#include "train/OutOfMemoryAdvice.h"
#include "train/RunRecorder.h"
#include "train/RunSpec.h"
#include "train/Trainer.h"
#include "train/TrainingInputs.h"
#include "train/TrainingPackage.h"
#include "train/TrainingState.h"

#include <torch/utils.h>
#include <torch/version.h>

namespace graft {
namespace {

std::vector<std::vector<std::uint8_t>> encodedImages(const std::unique_ptr<ImageBytesSource>& source) {
    std::vector<std::vector<std::uint8_t>> images;
    if (source)
        for (std::int64_t image = 0; image < source->size(); ++image) images.push_back(source->bytes(image));
    return images;
}

// What another process trains the run from: everything but the validation images for a
// data-parallel run's workers, which do not validate.
TrainingPackage packageFor(const RunSpec& spec, ClassifierImpl& model, const TrainingInputs& inputs,
                           const std::optional<StoredCheckpoint>& resumed, bool withValidation) {
    TrainingPackage package;
    package.spec = spec;
    package.weights = serializeWeights(model);
    package.trainSet = inputs.trainSet;
    package.trainEncoded = encodedImages(inputs.trainEncoded);
    if (withValidation) {
        package.valSet = inputs.valSet;
        package.valEncoded = encodedImages(inputs.valEncoded);
    }
    package.unlabelledEncoded = encodedImages(inputs.unlabelledEncoded);
    package.preprocess = inputs.preprocess;
    package.trainImagesKey = inputs.trainImagesKey;
    package.valImagesKey = inputs.valImagesKey;
    if (resumed) package.trainingState = resumed->trainingState;
    return package;
}

// `workersStarted` turns true once a data-parallel run's other ranks have their package.
TrainingResult trainRun(const TrainingRequest& request, TrainObserver& observer, std::stop_token stop,
                        bool& workersStarted) {
    if (request.remote && !request.saveWeightsTo.empty())
        throw Error("a run trained in another process leaves its weights in the project, not in " +
                    request.saveWeightsTo.string());
    Database db = openProject(request.project); // marks the runs of killed processes interrupted
    RunStore runs(db);
    const std::string runName = request.project.string() + ": run " + std::to_string(request.resumeRun);
    std::optional<StoredCheckpoint> checkpoint;
    std::optional<RunSpec> resumed;
    if (request.resumeRun > 0) {
        const auto record = runs.run(request.resumeRun);
        if (record.status == RunStatus::Running) throw Error(runName + " is still running in another process");
        if (record.status == RunStatus::Finished) throw Error(runName + " has already finished; there is nothing to resume");
        resumed = RunSpec::fromJson(record.configJson);
        resumed->config.device = request.config.device;
        checkpoint = runs.checkpoint(request.resumeRun, CheckpointKind::Last);
        if (!checkpoint || checkpoint->trainingState.empty())
            throw Error(runName + " has no checkpoint to resume from; start a new run");
    }
    TrainConfig config = resumed ? resumed->config : request.config;
    config.validate();
    const torch::Device device = resolveDevice(config.device);
    useCpuCores();
    const CpuBlockCacheScope blockCache;

    // A resumed run takes every weight from its checkpoint: its initial weights file may be gone.
    TrainConfig inputsConfig = config;
    if (resumed) inputsConfig.init = "scratch";
    TrainingInputs inputs = prepareTrainingInputs(request.project, db, inputsConfig, observer, request.trainingImages);
    config.epochs = config.epochsFor(inputs.trainSet.size());
    const RunSpec runSpec{config, inputs.classes, inputs.trainFingerprint, inputs.tasks};
    const auto& trainSet = inputs.trainSet;
    const auto& valSet = inputs.valSet;
    auto model = inputs.model;
    TrainingResult result;
    result.initNotes = inputs.initNotes;

    // Built before the run is recorded: a freeze plan naming a missing block leaves no trace.
    Trainer trainer(model, config, device);
    trainer.storeLargeFeaturesIn(request.project);
    trainer.identifyInputs(inputs.trainImagesKey, inputs.valImagesKey);
    trainer.normalisePixelsWith(inputs.preprocess);
    if (inputs.trainEncoded) trainer.trainFromEncoded(*inputs.trainEncoded, inputs.preprocess);
    if (inputs.valEncoded && inputs.valEncoded->size() > 0) trainer.validateFromEncoded(*inputs.valEncoded);
    if (inputs.unlabelledEncoded) trainer.learnFromUnlabelled(*inputs.unlabelledEncoded, inputs.preprocess);
    if (!inputs.tasks.empty()) trainer.learnTasks(inputs.tasks);
    if (resumed) {
        if (inputs.classes != resumed->classes || inputs.tasks != resumed->tasks ||
            resumed->trainFingerprint != inputs.trainFingerprint)
            throw Error(runName + " trained on other images or labels than the project now has; start a new run");
        loadCheckpointWeights(*model, *checkpoint, runName + " checkpoint");
        trainer.resumeFrom(TrainingState::fromBytes(checkpoint->trainingState));
        runs.reopenRun(request.resumeRun, checkpoint->step);
        result.runId = request.resumeRun;
        observer.onLog("Resuming " + runName + " after step " + std::to_string(checkpoint->step));
    }
    if (request.dataParallel) {
        trainer.trainDataParallel(*request.dataParallel);
        request.dataParallel->broadcastBytes(packageFor(runSpec, *model, inputs, checkpoint, false).toBytes());
        workersStarted = true;
    }
    if (!resumed) {
        result.runId = runs.beginRun({request.arm, config.arch, config.init == "scratch" ? "scratch" : "weights",
                                      config.seed, runSpec.toJson(), kGraftVersion, TORCH_VERSION, request.experimentId,
                                      request.trainingImages ? std::int64_t(request.trainingImages->size())
                                                             : request.trialBudget.value_or(config.labelsPerClass)});
    }
    result.trainImages = trainSet.size();
    result.valImages = valSet.size();
    result.device = describeDevice(device);

    try {
        RunRecorder recorder(request.project, result.runId);
        FanOutObserver fanOut({&recorder, &observer});
        const TrainOutcome outcome = request.remote ? request.remote->train(packageFor(runSpec, *model, inputs, checkpoint, true), fanOut, stop)
                                                    : trainer.train(trainSet, valSet, fanOut, stop);
        result.status = outcome.status == TrainStatus::Finished ? RunStatus::Finished : RunStatus::Cancelled;
        result.epochsCompleted = outcome.epochsCompleted;
        result.stoppedEarly = outcome.stoppedEarly;
        result.steps = outcome.steps;
        if (outcome.epochsCompleted > 0 && outcome.lastEpoch.validated) {
            result.valAccuracy = outcome.lastEpoch.valAccuracy;
            result.valLoss = outcome.lastEpoch.valLoss;
        }
        if (result.status == RunStatus::Finished && !request.saveWeightsTo.empty())
            writeFileAtomically(request.saveWeightsTo, serializeWeights(*model));
    } catch (const std::exception& error) {
        const auto advice = outOfMemoryAdvice(error, config);
        const std::string reason = advice ? request.project.string() + ": run " + std::to_string(result.runId) + " ran " + *advice
                                          : std::string(error.what());
        try {
            runs.endRun(result.runId, RunStatus::Failed, reason);
        } catch (const DatabaseError&) {
            // The project cannot take this either (a full disk): the reason that stopped the run is
            // the one to report, and the run is marked interrupted once this process has ended.
        }
        if (advice) throw Error(reason);
        throw;
    }
    runs.endRun(result.runId, result.status,
                result.status == RunStatus::Cancelled ? "stopped on request" : std::string());
    return result;
}

} // namespace

TrainingResult runTraining(const TrainingRequest& request, TrainObserver& observer, std::stop_token stop) {
    bool workersStarted = false;
    try {
        return trainRun(request, observer, stop, workersStarted);
    } catch (const std::exception& error) {
        if (request.dataParallel && !workersStarted) {
            TrainingPackage refusal;
            refusal.refusal = error.what();
            try {
                request.dataParallel->broadcastBytes(refusal.toBytes());
            } catch (const std::exception&) {
                // The group has failed too: the error that stopped this rank is the one to report.
            }
        }
        throw;
    }
}

} // namespace graft
