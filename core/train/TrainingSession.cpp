#include "train/TrainingSession.h"

#include "common/Version.h"
#include "models/Weights.h"
#include "project/ProjectFile.h"
#include "train/ComputeSetup.h"
#include "train/FanOutObserver.h"
#include "train/RunRecorder.h"
#include "train/RunSpec.h"
#include "train/Trainer.h"
#include "train/TrainingInputs.h"

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
    const torch::Device device = resolveDevice(config.device);
    useAllCores();

    Database db = openProject(request.project);
    TrainingInputs inputs = prepareTrainingInputs(request.project, db, config, observer);
    const RunSpec runSpec{config, inputs.classes};
    const auto& trainSet = inputs.trainSet;
    const auto& valSet = inputs.valSet;
    auto model = inputs.model;
    TrainingResult result;
    result.initNotes = inputs.initNotes;

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
        result.stoppedEarly = outcome.stoppedEarly;
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
