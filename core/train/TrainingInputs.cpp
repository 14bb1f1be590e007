#include "train/TrainingInputs.h"

#include "common/Sha256.h"
#include "data/AugmentSpec.h"
#include "data/Splits.h"
#include "data/UnlabelledPool.h"
#include "models/Architectures.h"
#include "models/WeightsReference.h"
#include "models/Weights.h"
#include "project/DomainStore.h"
#include "project/ProjectImageBytes.h"
#include "project/ProjectStore.h"
#include "train/MultiTaskInputs.h"
#include "train/ProjectTensors.h"
#include "train/RunDomains.h"

#include <algorithm>
#include <mutex>
#include <cmath>
#include <map>
#include <set>

namespace graft {
namespace {

std::vector<LabeledImage> chosenTrainingImages(const std::filesystem::path& project, ProjectStore& store,
                                               const std::vector<std::string>& chosen) {
    std::map<std::string, LabeledImage> training;
    for (auto& image : store.labeledImagesInSplit(Split::Train)) training.emplace(image.sha256, image);
    if (chosen.empty()) throw Error(project.string() + ": a run needs at least one training image");
    std::vector<LabeledImage> images;
    for (const auto& sha256 : chosen) {
        const auto found = training.find(sha256);
        if (found == training.end()) throw Error(project.string() + ": image " + sha256 + " is not a labelled training image");
        images.push_back(found->second);
    }
    return images;
}

// A misspelt domain would silently leave a run without images to train or be judged on.
void requireDomains(const std::filesystem::path& project, Database& db, const TrainConfig& config) {
    auto named = nameList(config.trainingDomains);
    if (!config.targetDomain.empty()) named.push_back(config.targetDomain);
    DomainStore domains(db);
    for (const auto& domain : named) domains.requireDomain(domain, project.string());
}

} // namespace

InitialModel createInitialModel(const TrainConfig& config, int classes) {
    std::unique_lock lock(modelConstructionMutex());
    torch::manual_seed(config.seed);
    InitialModel initial{createClassifier(architectureSpec(config.arch, config.inputSize), classes), {}};
    lock.unlock();
    if (config.init == "scratch") return initial;
    // Graft's own weights files and torchvision's .pth files alike, through the restricted
    // reader, or weights built into Graft.
    const auto headPrefixes = initial.model->blocks().back().parameterPrefixes;
    const auto isNewHead = [&](const std::string& name) {
        return config.newHead && std::any_of(headPrefixes.begin(), headPrefixes.end(),
                                             [&](const std::string& prefix) { return name.starts_with(prefix); });
    };
    auto tensors = readWeightsReference(config.init);
    std::erase_if(tensors, [&](const auto& tensor) { return isNewHead(tensor.first); });
    const auto report = loadMatchingWeights(*initial.model, tensors, config.init);
    if (report.loaded.empty())
        throw Error(config.init + ": shares no tensor with a " + config.arch + " model; is it for another architecture?");
    initial.notes = report.skipped;
    for (const auto& name : report.missing)
        initial.notes.push_back(name + (isNewHead(name) ? ": started afresh" : ": not in " + config.init));
    return initial;
}

void readImages(const std::filesystem::path& project, ProjectStore& store, const TrainConfig& config,
                const std::vector<LabeledImage>& trainImages, const std::vector<LabeledImage>& valImages,
                const std::map<std::int64_t, std::int64_t>& classIndex, TrainObserver& observer, TrainingInputs& inputs) {
    const ArchitectureSpec spec = architectureSpec(config.arch, config.inputSize);
    inputs.preprocess = spec.preprocess;
    const bool augmented = AugmentSpec::parse(config.augment).enabled();
    // Decoded images are kept as uint8 pixels, a byte per value (loadPixels).
    const double imageBytes = double(spec.preprocess.channels()) * spec.preprocess.crop * spec.preprocess.crop;
    const double decodedBytes = imageBytes * double((augmented ? 0 : trainImages.size()) + valImages.size());
    const bool streamed = decodedBytes > double(config.inputMemoryBudgetBytes);
    if (streamed)
        observer.onLog("Decoded, the training and validation images would take " +
                       std::to_string(std::llround(decodedBytes / double(1 << 20))) + " MB, over the input memory budget of " +
                       std::to_string(config.inputMemoryBudgetBytes >> 20) + " MB (--input-memory): decoding them batch by batch");
    const auto encodedWithLabels = [&](const std::vector<LabeledImage>& images, LabeledTensors& set,
                                       std::unique_ptr<ImageBytesSource>& encoded) {
        auto streamed = streamedFromProject(project, images, classIndex);
        set.labels = streamed.labels;
        encoded = std::move(streamed.encoded);
    };
    // A run that stops before it has seen every training image (--max-steps) decodes only the
    // batches it trains on, as it goes, instead of the whole set first.
    const bool stopsWithinAnEpoch =
        config.maxSteps > 0 && config.maxSteps * config.batchSize < std::int64_t(trainImages.size());
    if (augmented || streamed || stopsWithinAnEpoch) {
        observer.onLog("Reading " + std::to_string(trainImages.size()) + " training images" +
                       (augmented            ? " (augmented afresh every epoch)"
                        : stopsWithinAnEpoch && !streamed
                            ? " (" + std::to_string(config.maxSteps) + " steps see fewer: decoding them batch by batch)"
                            : ""));
        encodedWithLabels(trainImages, inputs.trainSet, inputs.trainEncoded);
    } else {
        observer.onLog("Preparing " + std::to_string(trainImages.size()) + " training images");
        inputs.trainSet = loadPixels(store, trainImages, classIndex, spec.preprocess);
        inputs.trainImagesKey = tensorsKey(trainImages, classIndex, spec.preprocess);
    }
    if (streamed) {
        encodedWithLabels(valImages, inputs.valSet, inputs.valEncoded);
    } else {
        inputs.valSet = loadPixels(store, valImages, classIndex, spec.preprocess);
        inputs.valImagesKey = tensorsKey(valImages, classIndex, spec.preprocess);
    }
}

TrainingInputs prepareTrainingInputs(const std::filesystem::path& project, Database& db, const TrainConfig& config,
                                     TrainObserver& observer, const std::optional<std::vector<std::string>>& trainingImages) {
    if (config.multiTask()) {
        if (trainingImages) throw Error(project.string() + ": a labelling simulation trains one task; name one in the run's tasks");
        return prepareMultiTaskInputs(project, db, config, observer);
    }
    const auto taskNames = nameList(config.tasks);
    ProjectStore store(db, taskNames.empty() ? kFirstTask : TaskStore(db).require(taskNames.front()));
    requireDomains(project, db, config);
    TrainingInputs inputs;
    auto trainImages = inTrainingDomains(db, config, store.labeledImagesInSplit(Split::Train));
    std::set<std::int64_t> trainedClasses;
    for (const auto& image : trainImages) trainedClasses.insert(image.classId);
    for (const auto& summary : store.classSummaries())
        if (trainedClasses.contains(summary.id)) inputs.classes.push_back(summary.name);
    if (trainImages.empty() || inputs.classes.size() < 2)
        throw Error(project.string() +
                    ": training needs labelled training images of at least two classes; import and label images first");
    if (trainingImages) trainImages = chosenTrainingImages(project, store, *trainingImages);
    else if (config.labelsPerClass > 0) trainImages = sampleEachClass(trainImages, config.labelsPerClass, config.seed);

    const auto classIndex = classIndexByName(store, inputs.classes);
    std::string fingerprint;
    std::vector<std::string> unlabelled; // the semi-supervised pool, or the target domain's images
    for (const auto& image : trainImages)
        fingerprint.append(image.sha256).append(" ").append(inputs.classes[std::size_t(classIndex.at(image.classId))]).append("\n");
    if (config.learnsFromUnlabelled()) {
        const auto hidden = config.unlabelledPool == "beyond-budget" ? HiddenLabels::BeyondBudget : HiddenLabels::None;
        const auto pool = unlabelledPool(store, hidden, trainingImages ? 0 : config.labelsPerClass, config.seed);
        if (pool.empty())
            throw Error(project.string() + ": semi-supervised training needs unlabelled images, and the project has none" +
                        (hidden == HiddenLabels::None ? " (a simulation on labelled images can hide labels beyond the budget)" : ""));
        observer.onLog("Reading the unlabelled pool: " + std::to_string(pool.size()) + " images");
        for (const auto& sha256 : pool) {
            fingerprint.append(sha256).append(" unlabelled\n");
            unlabelled.push_back(sha256);
        }
    }
    if (config.adaptsToDomain()) {
        const auto pool = targetDomainPool(db, config);
        if (pool.empty())
            throw Error(project.string() + ": domain adaptation needs images of the target domain '" + config.targetDomain +
                        "' without a label or in the training split, and there are none");
        observer.onLog("Reading the target domain's images (" + config.targetDomain + "): " + std::to_string(pool.size()) +
                       ", their labels unread");
        for (const auto& sha256 : pool) {
            fingerprint.append(sha256).append(" target\n");
            unlabelled.push_back(sha256);
        }
    }
    if (!unlabelled.empty()) inputs.unlabelledEncoded = std::make_unique<ProjectImageBytes>(project, std::move(unlabelled));
    inputs.trainFingerprint = sha256Hex({reinterpret_cast<const std::uint8_t*>(fingerprint.data()), fingerprint.size()});
    readImages(project, store, config, trainImages, inTrainingDomains(db, config, store.labeledImagesInSplit(Split::Val)), classIndex,
               observer, inputs);

    auto initial = createInitialModel(config, int(inputs.classes.size()));
    inputs.model = std::move(initial.model);
    inputs.initNotes = std::move(initial.notes);
    return inputs;
}

} // namespace graft
