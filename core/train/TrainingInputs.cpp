#include "train/TrainingInputs.h"

#include "common/Sha256.h"
#include "data/AugmentSpec.h"
#include "data/Splits.h"
#include "models/Architectures.h"
#include "models/WeightsReference.h"
#include "models/Weights.h"
#include "project/ProjectStore.h"
#include "train/ProjectTensors.h"

#include <algorithm>

namespace graft {

TrainingInputs prepareTrainingInputs(const std::filesystem::path& project, Database& db, const TrainConfig& config,
                                     TrainObserver& observer) {
    const ArchitectureSpec spec = architectureSpec(config.arch, config.inputSize);
    ProjectStore store(db);
    TrainingInputs inputs;
    for (const auto& summary : store.classSummaries())
        if (summary.train > 0) inputs.classes.push_back(summary.name);
    auto trainImages = store.labeledImagesInSplit(Split::Train);
    if (trainImages.empty() || inputs.classes.size() < 2)
        throw Error(project.string() +
                    ": training needs labelled training images of at least two classes; import and label images first");
    if (config.labelsPerClass > 0) trainImages = sampleEachClass(trainImages, config.labelsPerClass, config.seed);

    const auto classIndex = classIndexByName(store, inputs.classes);
    std::string fingerprint;
    for (const auto& image : trainImages)
        fingerprint.append(image.sha256).append(" ").append(inputs.classes[std::size_t(classIndex.at(image.classId))]).append("\n");
    inputs.trainFingerprint = sha256Hex({reinterpret_cast<const std::uint8_t*>(fingerprint.data()), fingerprint.size()});
    inputs.preprocess = spec.preprocess;
    if (AugmentSpec::parse(config.augment).enabled()) {
        observer.onLog("Reading " + std::to_string(trainImages.size()) + " training images (augmented afresh every epoch)");
        auto images = store.imagesForTraining(trainImages);
        inputs.trainSet.labels = torch::empty({std::int64_t(images.size())}, torch::kInt64);
        auto* labels = inputs.trainSet.labels.data_ptr<std::int64_t>();
        for (std::size_t i = 0; i < images.size(); ++i) {
            labels[i] = classIndex.at(images[i].classId);
            inputs.trainEncoded.push_back(std::move(images[i].encoded));
        }
    } else {
        observer.onLog("Preparing " + std::to_string(trainImages.size()) + " training images");
        inputs.trainSet = loadTensors(store, trainImages, classIndex, spec.preprocess);
    }
    inputs.valSet = loadTensors(store, store.labeledImagesInSplit(Split::Val), classIndex, spec.preprocess);

    torch::manual_seed(config.seed);
    inputs.model = createClassifier(spec, int(inputs.classes.size()));
    if (config.init != "scratch") {
        // Graft's own weights files and torchvision's .pth files alike, through the restricted
        // reader, or weights built into Graft.
        const auto headPrefixes = inputs.model->blocks().back().parameterPrefixes;
        const auto isNewHead = [&](const std::string& name) {
            return config.newHead && std::any_of(headPrefixes.begin(), headPrefixes.end(),
                                                 [&](const std::string& prefix) { return name.starts_with(prefix); });
        };
        auto tensors = readWeightsReference(config.init);
        std::erase_if(tensors, [&](const auto& tensor) { return isNewHead(tensor.first); });
        const auto report = loadMatchingWeights(*inputs.model, tensors, config.init);
        if (report.loaded.empty())
            throw Error(config.init + ": shares no tensor with a " + config.arch + " model; is it for another architecture?");
        inputs.initNotes = report.skipped;
        for (const auto& name : report.missing)
            inputs.initNotes.push_back(name + (isNewHead(name) ? ": started afresh" : ": not in " + config.init));
    }
    return inputs;
}

} // namespace graft
