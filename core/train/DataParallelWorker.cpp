#include "train/DataParallelWorker.h"

#include "common/Error.h"
#include "models/Architectures.h"
#include "models/Classifier.h"
#include "models/Weights.h"
#include "train/ComputeSetup.h"
#include "train/Trainer.h"
#include "train/TrainingPackage.h"

#include <sstream>

namespace graft {

TrainingResult trainAsWorker(DataParallelGroup& group, TrainObserver& observer, std::stop_token stop) {
    const auto package = TrainingPackage::fromBytes(group.broadcastBytes({}));
    const std::string me = "rank " + std::to_string(group.rank()) + " of " + std::to_string(group.worldSize());
    if (!package.refusal.empty()) throw Error(me + ": rank 0 could not start the run: " + package.refusal);
    const auto& config = package.spec.config;
    const torch::Device device = resolveDevice(config.device);
    useCpuCores();
    auto model = createClassifier(architectureSpec(config.arch, config.inputSize), int(package.spec.classes.size()));
    loadAllWeights(*model, package.weights, me + ": rank 0's weights");

    Trainer trainer(model, config, device);
    trainer.normalisePixelsWith(package.preprocess);
    const ImageBytesInMemory encoded(package.encodedImages);
    if (encoded.size() > 0) trainer.trainFromEncoded(encoded, package.preprocess);
    trainer.trainDataParallel(group);
    if (!package.trainingState.empty()) trainer.resumeFrom(TrainingState::fromBytes(package.trainingState));
    const TrainOutcome outcome = trainer.train(package.trainSet, LabeledTensors{}, observer, stop);

    TrainingResult result;
    result.status = outcome.status == TrainStatus::Finished ? RunStatus::Finished : RunStatus::Cancelled;
    result.epochsCompleted = outcome.epochsCompleted;
    result.stoppedEarly = outcome.stoppedEarly;
    result.steps = outcome.steps;
    result.trainImages = package.trainSet.size();
    std::ostringstream deviceName;
    deviceName << device;
    result.device = deviceName.str();
    return result;
}

} // namespace graft
