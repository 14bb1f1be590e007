#include "train/SelfSupervisedPretraining.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Sha256.h"
#include "common/Version.h"
#include "data/AugmentedBatches.h"
#include "data/ImageDecoding.h"
#include "data/Preprocess.h"
#include "data/UnlabelledPool.h"
#include "models/Architectures.h"
#include "models/ChannelsLast.h"
#include "project/ProjectFile.h"
#include "project/ProjectImageBytes.h"
#include "project/ProjectStore.h"
#include "train/AugmentedEpochs.h"
#include "train/ComputeSetup.h"
#include "train/CpuBlockCache.h"
#include "train/LearningRateSchedule.h"
#include "train/ProjectTensors.h"
#include "train/SimSiamLoss.h"
#include "train/TrainingInputs.h"

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>
#include <torch/serialize.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <algorithm>
#include <chrono>
#include <sstream>

namespace graft {
namespace {

namespace fs = std::filesystem;

// SimSiam's heads, narrowed from its 2048 for a desktop CPU: a 2-layer projector and a
// bottleneck predictor (a quarter of the width, as SimSiam's 2048 -> 512 -> 2048).
constexpr std::int64_t kProjectionWidth = 256;
constexpr std::int64_t kPredictorWidth = 64;
constexpr std::int64_t kNeighbours = 20;
constexpr std::int64_t kStateFormat = 1;

torch::nn::Sequential projectorFor(std::int64_t features) {
    namespace nn = torch::nn;
    return nn::Sequential(nn::Linear(nn::LinearOptions(features, kProjectionWidth).bias(false)), nn::BatchNorm1d(kProjectionWidth),
                          nn::ReLU(), nn::Linear(nn::LinearOptions(kProjectionWidth, kProjectionWidth).bias(false)),
                          nn::BatchNorm1d(kProjectionWidth));
}

torch::nn::Sequential predictor() {
    namespace nn = torch::nn;
    return nn::Sequential(nn::Linear(nn::LinearOptions(kProjectionWidth, kPredictorWidth).bias(false)),
                          nn::BatchNorm1d(kPredictorWidth), nn::ReLU(), nn::Linear(kPredictorWidth, kProjectionWidth));
}

// The backbone (every block but the classifier head) with SimSiam's projector and predictor.
struct SimSiamNetworkImpl : torch::nn::Module {
    SimSiamNetworkImpl(std::shared_ptr<ClassifierImpl> classifier, const torch::Tensor& sampleImage)
        : backbone(register_module("backbone", std::move(classifier))), blocks(backbone->blocks()) {
        torch::NoGradGuard noGrad;
        backbone->eval();
        const auto width = features(sampleImage).size(1);
        projector = register_module("projector", projectorFor(width));
        predictorHead = register_module("predictor", predictor());
    }
    torch::Tensor features(torch::Tensor x) {
        for (std::size_t i = 0; i + 1 < blocks.size(); ++i) x = blocks[i].forward(x);
        return x.flatten(1);
    }

    std::shared_ptr<ClassifierImpl> backbone;
    std::vector<NetworkBlock> blocks;
    torch::nn::Sequential projector{nullptr};
    torch::nn::Sequential predictorHead{nullptr};
};
TORCH_MODULE(SimSiamNetwork);

// Where pretraining stands between two steps; with the network and optimizer, NAME.partial.
struct Position {
    int epoch = 1;
    std::int64_t image = 0; // images of this epoch already trained on
    std::int64_t steps = 0;
    torch::Tensor order;
    double lossSum = 0;
    double initialKnn = -1; // < 0: none
};

std::string fingerprintOf(const std::vector<std::string>& sha256s) {
    std::string joined;
    for (const auto& sha : sha256s) joined.append(sha).append("\n");
    return sha256Hex({reinterpret_cast<const std::uint8_t*>(joined.data()), joined.size()});
}

torch::Tensor textTensor(const std::string& text) {
    return torch::from_blob(const_cast<char*>(text.data()), {std::int64_t(text.size())}, torch::kUInt8).clone();
}

std::string tensorText(const torch::Tensor& tensor) {
    const auto bytes = tensor.contiguous();
    return {static_cast<const char*>(bytes.data_ptr()), std::size_t(bytes.numel())};
}

// Cosine k-nearest-neighbour accuracy, votes weighted by similarity (as InstDisc's monitor).
double knnAccuracy(const torch::Tensor& fitFeatures, const torch::Tensor& fitLabels, const torch::Tensor& evalFeatures,
                   const torch::Tensor& evalLabels, std::int64_t classes) {
    const auto fit = torch::nn::functional::normalize(fitFeatures, torch::nn::functional::NormalizeFuncOptions().dim(1));
    const auto probe = torch::nn::functional::normalize(evalFeatures, torch::nn::functional::NormalizeFuncOptions().dim(1));
    const auto [similarity, nearest] = probe.matmul(fit.t()).topk(std::min(kNeighbours, fit.size(0)), 1);
    auto votes = torch::zeros({probe.size(0), classes});
    votes.scatter_add_(1, fitLabels.index({nearest}), similarity);
    return votes.argmax(1).eq(evalLabels).to(torch::kFloat64).mean().item<double>();
}

class SelfSupervisedRun {
public:
    SelfSupervisedRun(const SelfSupervisedRequest& request, TrainObserver& observer)
        : request_(request), observer_(observer), config_(request.config),
          partial_(request.outputFolder / (request.name + ".partial")), device_(resolveDevice(request.config.device)) {}

    SelfSupervisedResult run(std::stop_token stop);

private:
    void readProject();
    void buildNetwork();
    std::optional<double> knn(std::stop_token stop);
    void saveState(const Position& position, at::Generator& shuffler);
    Position loadState(at::Generator& shuffler);
    SelfSupervisedResult finish(const Position& position, std::stop_token stop);

    const SelfSupervisedRequest& request_;
    TrainObserver& observer_;
    TrainConfig config_;
    fs::path partial_;
    torch::Device device_;
    PreprocessSpec preprocess_;
    std::vector<std::string> sha256s_;
    std::unique_ptr<ImageBytesSource> encoded_; // sha256s_'s, read from the project as they are decoded
    std::int64_t labelledImages_ = 0;
    EncodedImages knnFit_, knnEval_;
    std::string knnSplit_; // what knnEval_ holds: validation, or test where there is none
    std::int64_t classes_ = 0;
    std::shared_ptr<ClassifierImpl> model_;
    SimSiamNetwork network_{nullptr};
    std::unique_ptr<torch::optim::Optimizer> optimizer_;
};

void SelfSupervisedRun::readProject() {
    Database db = openProject(request_.project, ProjectAccess::ReadOnly);
    ProjectStore store(db);
    preprocess_ = architectureSpec(config_.arch, config_.inputSize).preprocess;
    // Labelled training images and the pool; validation and test images judge the result.
    const auto labelled = store.labeledImagesInSplit(Split::Train);
    for (const auto& image : labelled) sha256s_.push_back(image.sha256);
    labelledImages_ = std::int64_t(labelled.size());
    for (const auto& sha256 : unlabelledPool(store, HiddenLabels::None, 0, 0)) sha256s_.push_back(sha256);
    encoded_ = std::make_unique<ProjectImageBytes>(request_.project, sha256s_);
    if (sha256s_.size() < 2)
        throw Error(request_.project.string() + ": self-supervised pretraining needs at least two training or unlabelled images");
    std::vector<std::string> names;
    for (const auto& [id, name] : store.classNames()) names.push_back(name);
    classes_ = std::int64_t(names.size());
    const auto classIndex = classIndexByName(store, names);
    // The figure is measured, never chosen by, so a project without validation images uses its test images.
    auto heldOut = store.labeledImagesInSplit(Split::Val);
    knnSplit_ = "validation";
    if (heldOut.empty()) {
        heldOut = store.labeledImagesInSplit(Split::Test);
        knnSplit_ = "test";
    }
    if (!labelled.empty() && !heldOut.empty() && classes_ >= 2) {
        knnFit_ = streamedFromProject(request_.project, labelled, classIndex);
        knnEval_ = streamedFromProject(request_.project, heldOut, classIndex);
    }
}

void SelfSupervisedRun::buildNetwork() {
    TrainConfig modelConfig = config_;
    modelConfig.newHead = modelConfig.init != "scratch"; // the head is not pretrained, and not saved
    auto initial = createInitialModel(modelConfig, 2);
    for (const auto& note : initial.notes) observer_.onLog("Initial weights: " + note);
    model_ = initial.model;
    const auto sample = preprocessForEval(decodeImage(encoded_->bytes(0), preprocess_.color), preprocess_).unsqueeze(0);
    {
        const std::lock_guard lock(modelConstructionMutex()); // its draws follow the generator's state
        network_ = SimSiamNetwork(model_, sample);
    }
    network_->to(device_);
    if (config_.channelsLast) convertToChannelsLast(*network_);
    if (config_.optimizer == "sgd")
        optimizer_ = std::make_unique<torch::optim::SGD>(
            network_->parameters(),
            torch::optim::SGDOptions(config_.learningRate).momentum(config_.momentum).weight_decay(config_.weightDecay));
    else
        optimizer_ = std::make_unique<torch::optim::AdamW>(
            network_->parameters(), torch::optim::AdamWOptions(config_.learningRate).weight_decay(config_.weightDecay));
}

std::optional<double> SelfSupervisedRun::knn(std::stop_token stop) {
    if (knnFit_.size() == 0 || knnEval_.size() == 0) return std::nullopt;
    torch::NoGradGuard noGrad;
    network_->eval();
    const auto featuresOf = [&](const ImageBytesSource& images) -> std::optional<torch::Tensor> {
        AugmentedBatches batches(images, preprocess_, AugmentSpec{}, inOrderPlan(images.size(), int(config_.batchSize)),
                                 loaderThreads(config_), kBatchesAhead, device_.is_cuda());
        std::vector<torch::Tensor> parts;
        while (!batches.done()) {
            if (stop.stop_requested()) return std::nullopt;
            auto batch = batches.next().to(device_);
            if (config_.channelsLast) batch = channelsLast(batch);
            parts.push_back(network_->features(batch).to(torch::kCPU, torch::kFloat32));
        }
        return torch::cat(parts);
    };
    const auto fit = featuresOf(*knnFit_.encoded);
    const auto probe = fit ? featuresOf(*knnEval_.encoded) : std::nullopt;
    if (!probe) return std::nullopt;
    return knnAccuracy(*fit, knnFit_.labels, *probe, knnEval_.labels, classes_);
}

void SelfSupervisedRun::saveState(const Position& position, at::Generator& shuffler) {
    torch::serialize::OutputArchive archive;
    const auto integer = [&](const char* key, std::int64_t value) { archive.write(key, torch::tensor(value)); };
    const auto number = [&](const char* key, double value) { archive.write(key, torch::tensor(value, torch::kFloat64)); };
    integer("format", kStateFormat);
    archive.write("recipe", textTensor(config_.toJson()));
    archive.write("images", textTensor(fingerprintOf(sha256s_)));
    integer("epoch", position.epoch);
    integer("image", position.image);
    integer("steps", position.steps);
    archive.write("order", position.order.defined() ? position.order : torch::empty({0}, torch::kLong));
    number("loss_sum", position.lossSum);
    number("initial_knn", position.initialKnn);
    torch::serialize::OutputArchive networkArchive, optimizerArchive;
    network_->save(networkArchive);
    optimizer_->save(optimizerArchive);
    archive.write("network", networkArchive);
    archive.write("optimizer", optimizerArchive);
    archive.write("shuffler", shuffler.get_state());
    auto defaultGenerator = at::detail::getDefaultCPUGenerator();
    {
        std::lock_guard lock(defaultGenerator.mutex());
        archive.write("default_generator", defaultGenerator.get_state());
    }
    std::ostringstream bytes;
    archive.save_to(bytes);
    writeFileAtomically(partial_, bytes.str());
}

Position SelfSupervisedRun::loadState(at::Generator& shuffler) {
    Position position;
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(partial_.string(), torch::kCPU);
        const auto read = [&](const char* key) { // a fresh tensor each: read() into a used one would share its storage
            torch::Tensor value;
            archive.read(key, value);
            return value;
        };
        if (read("format").item<std::int64_t>() != kStateFormat) throw Error("it was written by another version of Graft");
        if (tensorText(read("images")) != fingerprintOf(sha256s_))
            throw Error("the project's training or unlabelled images changed since; start afresh without --resume");
        position.epoch = int(read("epoch").item<std::int64_t>());
        position.image = read("image").item<std::int64_t>();
        position.steps = read("steps").item<std::int64_t>();
        position.order = read("order");
        if (position.order.numel() == 0) position.order = torch::Tensor();
        position.lossSum = read("loss_sum").item<double>();
        position.initialKnn = read("initial_knn").item<double>();
        torch::serialize::InputArchive networkArchive, optimizerArchive;
        archive.read("network", networkArchive);
        archive.read("optimizer", optimizerArchive);
        network_->load(networkArchive);
        optimizer_->load(optimizerArchive);
        shuffler.set_state(read("shuffler"));
        const auto defaultState = read("default_generator");
        auto defaultGenerator = at::detail::getDefaultCPUGenerator();
        std::lock_guard lock(defaultGenerator.mutex());
        defaultGenerator.set_state(defaultState);
    } catch (const Error& error) {
        throw Error(partial_.string() + ": cannot resume: " + error.what());
    } catch (const c10::Error& error) {
        throw Error(partial_.string() + ": cannot resume: not a pretraining state this run can continue (" +
                    error.what_without_backtrace() + ")");
    }
    network_->to(device_);
    return position;
}

SelfSupervisedResult SelfSupervisedRun::finish(const Position& position, std::stop_token stop) {
    SelfSupervisedResult result;
    result.images = std::int64_t(sha256s_.size());
    result.epochsCompleted = config_.epochs;
    if (position.initialKnn >= 0) result.initialKnnAccuracy = position.initialKnn;
    result.knnAccuracy = knn(stop);
    if (stop.stop_requested()) {
        result.status = RunStatus::Cancelled;
        return result;
    }
    // The backbone alone: an init that loads it starts its own head afresh.
    const auto headPrefixes = model_->blocks().back().parameterPrefixes;
    c10::Dict<std::string, torch::Tensor> tensors;
    for (const auto& item : model_->named_parameters(true))
        if (std::none_of(headPrefixes.begin(), headPrefixes.end(), [&](const auto& prefix) { return item.key().starts_with(prefix); }))
            tensors.insert(item.key(), item.value().detach().cpu().contiguous());
    for (const auto& item : model_->named_buffers(true))
        if (std::none_of(headPrefixes.begin(), headPrefixes.end(), [&](const auto& prefix) { return item.key().starts_with(prefix); }))
            tensors.insert(item.key(), item.value().detach().cpu().contiguous());
    const std::vector<char> bytes = torch::pickle_save(tensors);
    result.weightsFile = request_.outputFolder / (request_.name + ".pt");
    writeFileAtomically(result.weightsFile, std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    result.sha256 = fileSha256Hex(result.weightsFile);
    const auto optionalJson = [](const std::optional<double>& value) { return value ? nlohmann::json(*value) : nlohmann::json(nullptr); };
    const nlohmann::json manifest = {
        {"name", request_.name},
        {"arch", config_.arch},
        {"method", "simsiam"},
        {"madeBy", std::string("graft-cli pretrain --self-supervised simsiam, Graft ") + kGraftVersion},
        {"command", request_.command},
        {"source", {{"project", fs::absolute(request_.project).lexically_normal().string()},
                    {"labelledTrainingImages", labelledImages_},
                    {"unlabelledImages", std::int64_t(sha256s_.size()) - labelledImages_}}},
        {"init", config_.init},
        {"epochs", config_.epochs},
        {"steps", position.steps},
        {"seed", config_.seed},
        {"recipe", nlohmann::json::parse(config_.toJson())},
        {"knn", {{"neighbours", kNeighbours},
                 {"fittedOn", knnFit_.size()},
                 {"evaluatedOn", knnSplit_},
                 {"evaluatedImages", knnEval_.size()},
                 {"accuracy", optionalJson(result.knnAccuracy)},
                 {"initialAccuracy", optionalJson(result.initialKnnAccuracy)}}},
        {"file", result.weightsFile.filename().string()},
        {"sha256", result.sha256}};
    result.manifestFile = request_.outputFolder / (request_.name + ".json");
    writeFileAtomically(result.manifestFile, manifest.dump(2) + "\n");
    std::error_code ignored;
    fs::remove(partial_, ignored);
    return result;
}

SelfSupervisedResult SelfSupervisedRun::run(std::stop_token stop) {
    useCpuCores();
    const CpuBlockCacheScope blockCache;
    if (request_.resume && !fs::exists(partial_))
        throw Error(partial_.string() + ": nothing to resume (no stopped pretraining of that name in this folder)");
    if (request_.resume) { // the stopped attempt's recipe, whatever the command line says now
        torch::serialize::InputArchive archive;
        try {
            archive.load_from(partial_.string(), torch::kCPU);
            torch::Tensor recipe;
            archive.read("recipe", recipe);
            const auto device = config_.device;
            config_ = TrainConfig::fromJson(tensorText(recipe));
            config_.device = device;
        } catch (const c10::Error& error) {
            throw Error(partial_.string() + ": cannot resume: not a pretraining state (" + error.what_without_backtrace() + ")");
        }
    }
    config_.validate();
    readProject();
    buildNetwork();
    auto shuffler = at::make_generator<at::CPUGeneratorImpl>(config_.seed);
    Position position;
    if (request_.resume) {
        position = loadState(shuffler);
        observer_.onLog("Resuming " + request_.name + " after step " + std::to_string(position.steps));
    } else {
        observer_.onLog("Self-supervised pretraining (SimSiam) on " + std::to_string(sha256s_.size()) + " images: " +
                        std::to_string(labelledImages_) + " labelled training, " +
                        std::to_string(std::int64_t(sha256s_.size()) - labelledImages_) + " unlabelled");
        if (const auto initial = knn(stop)) position.initialKnn = *initial;
    }

    const auto images = std::int64_t(sha256s_.size());
    const std::int64_t batch = config_.batchSize, stepsPerEpoch = (images + batch - 1) / batch;
    LearningRateSchedule schedule;
    schedule.kind = config_.schedule;
    schedule.totalSteps = stepsPerEpoch * config_.epochs;
    schedule.warmupSteps = std::int64_t(std::llround(config_.warmupEpochs * double(stepsPerEpoch)));
    const auto augment = AugmentSpec::parse(config_.augment).forChannels(preprocess_.channels());
    const auto checkpointInterval = std::chrono::duration<double>(config_.checkpointMinutes * 60.0);
    auto lastCheckpoint = std::chrono::steady_clock::now();
    std::int64_t savedSteps = position.steps;
    const auto pause = [&] {
        if (position.steps > savedSteps) saveState(position, shuffler);
        SelfSupervisedResult stopped;
        stopped.status = RunStatus::Cancelled;
        stopped.epochsCompleted = position.epoch - 1;
        return stopped;
    };

    while (position.epoch <= config_.epochs) {
        const auto started = std::chrono::steady_clock::now();
        if (position.image == 0) {
            position.order = torch::randperm(images, shuffler, torch::kLong);
            position.lossSum = 0;
        }
        auto plan = epochPlan(position.order, position.image, int(batch), augmentationSeed(config_.seed, position.epoch));
        plan.strongViews = true;
        AugmentedBatches views(*encoded_, preprocess_, augment, plan, loaderThreads(config_), kBatchesAhead, device_.is_cuda());
        network_->train();
        while (position.image < images) {
            if (stop.stop_requested()) return pause();
            auto pair = views.next().to(device_);
            if (config_.channelsLast) pair = channelsLast(pair);
            const auto count = pair.size(0) / 2;
            const double factor = schedule.factor(position.steps + 1);
            for (auto& group : optimizer_->param_groups()) group.options().set_lr(config_.learningRate * factor);
            optimizer_->zero_grad();
            const auto z = network_->projector->forward(network_->features(pair));
            const auto p = network_->predictorHead->forward(z);
            const auto loss = simSiamLoss(p.slice(0, 0, count), p.slice(0, count), z.slice(0, 0, count), z.slice(0, count));
            loss.backward();
            optimizer_->step();
            const double value = loss.item<double>();
            if (!std::isfinite(value))
                throw Error("self-supervised pretraining diverged: the loss became " + std::to_string(value) + " at step " +
                            std::to_string(position.steps + 1) + "; try a lower learning rate");
            ++position.steps;
            position.image += count;
            position.lossSum += value * double(count);
            observer_.onStep({position.steps, position.epoch, stepsPerEpoch, value, config_.learningRate * factor});
            if (position.image < images && config_.checkpointMinutes >= 0 &&
                std::chrono::steady_clock::now() - lastCheckpoint >= checkpointInterval) {
                saveState(position, shuffler);
                savedSteps = position.steps;
                lastCheckpoint = std::chrono::steady_clock::now();
            }
        }
        EpochEvent event;
        event.epoch = position.epoch;
        event.epochs = config_.epochs;
        event.step = position.steps;
        event.trainLoss = position.lossSum / double(images);
        event.dataWaitSeconds = views.waitedSeconds();
        event.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        observer_.onEpoch(event);
        ++position.epoch;
        position.image = 0;
        position.order = torch::Tensor();
        saveState(position, shuffler); // after the last epoch too: a stop in the kNN pass resumes to the files
        savedSteps = position.steps;
        lastCheckpoint = std::chrono::steady_clock::now();
    }
    return finish(position, stop);
}

} // namespace

SelfSupervisedResult pretrainSelfSupervised(const SelfSupervisedRequest& request, TrainObserver& observer, std::stop_token stop) {
    if (request.name.empty()) throw Error("self-supervised pretraining needs a name for its files");
    std::error_code error;
    fs::create_directories(request.outputFolder, error);
    if (error) throw Error(request.outputFolder.string() + ": cannot be created (" + error.message() + ")");
    return SelfSupervisedRun(request, observer).run(stop);
}

} // namespace graft
