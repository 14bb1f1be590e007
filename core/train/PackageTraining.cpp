#include "train/PackageTraining.h"

#include "models/Architectures.h"
#include "models/Classifier.h"
#include "models/Weights.h"
#include "train/ComputeSetup.h"
#include "train/CpuBlockCache.h"

namespace graft {

PackageTrainingResult trainPackage(const TrainingPackage& package, DataParallelGroup* group, const std::string& deviceText,
                                   TrainObserver& observer, std::stop_token stop) {
    const auto& config = package.spec.config;
    const torch::Device device = resolveDevice(deviceText);
    useCpuCores();
    const CpuBlockCacheScope blockCache;
    auto model = createClassifier(architectureSpec(config.arch, config.inputSize), int(package.spec.classes.size()));
    loadAllWeights(*model, package.weights, "rank 0's weights");

    Trainer trainer(model, config, device);
    trainer.identifyInputs(package.trainImagesKey, package.valImagesKey);
    trainer.normalisePixelsWith(package.preprocess);
    const ImageBytesInMemory trainEncoded(package.trainEncoded), valEncoded(package.valEncoded),
        unlabelledEncoded(package.unlabelledEncoded);
    if (trainEncoded.size() > 0) trainer.trainFromEncoded(trainEncoded, package.preprocess);
    if (valEncoded.size() > 0) trainer.validateFromEncoded(valEncoded);
    if (unlabelledEncoded.size() > 0) trainer.learnFromUnlabelled(unlabelledEncoded, package.preprocess);
    if (!package.spec.tasks.empty()) trainer.learnTasks(package.spec.tasks);
    if (group) trainer.trainDataParallel(*group);
    if (!package.trainingState.empty()) trainer.resumeFrom(TrainingState::fromBytes(package.trainingState));
    return {trainer.train(package.trainSet, package.valSet, observer, stop), describeDevice(device)};
}

} // namespace graft
