#include "BenchWorkloads.h"

#include "PeakMemory.h"

#include "common/Error.h"
#include "data/FolderImport.h"
#include "data/ImageDecoding.h"
#include "data/ProjectSplits.h"
#include "data/SyntheticShapes.h"
#include "models/Architectures.h"
#include "models/ChannelsLast.h"
#include "models/Classifier.h"
#include "models/LayerGraph.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "train/CpuBlockCache.h"
#include "train/Evaluation.h"
#include "train/Trainer.h"
#include "train/TrainingSession.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>

namespace graft::cli {
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Files in torchvision's ImageFolder order (sorted classes, sorted names), with their class index.
std::vector<std::pair<fs::path, std::int64_t>> imageFolderOrder(const fs::path& root) {
    std::vector<fs::path> classes;
    for (const auto& entry : fs::directory_iterator(root))
        if (entry.is_directory()) classes.push_back(entry.path());
    std::sort(classes.begin(), classes.end());
    std::vector<std::pair<fs::path, std::int64_t>> files;
    for (std::size_t label = 0; label < classes.size(); ++label) {
        std::vector<fs::path> names;
        for (const auto& entry : fs::directory_iterator(classes[label])) names.push_back(entry.path());
        std::sort(names.begin(), names.end());
        for (auto& name : names) files.emplace_back(std::move(name), std::int64_t(label));
    }
    if (files.empty()) throw Error(root.string() + ": no images in class folders");
    return files;
}

std::int64_t classCount(const fs::path& root) {
    return std::count_if(fs::directory_iterator(root), fs::directory_iterator(),
                         [](const fs::directory_entry& entry) { return entry.is_directory(); });
}

// The first `count` images of the folder (cycling when it has fewer), preprocessed for ResNet and
// MobileNet, which share the ImageNet evaluation transform.
LabeledTensors loadImages(const fs::path& root, std::int64_t count) {
    const auto files = imageFolderOrder(root);
    const auto spec = architectureSpec("resnet18").preprocess;
    std::vector<torch::Tensor> images;
    std::vector<std::int64_t> labels;
    for (std::int64_t i = 0; i < count; ++i) {
        const auto& [path, label] = files[std::size_t(i) % files.size()];
        images.push_back(preprocessForEval(decodeImage(readFileBytes(path), ColorMode::Rgb), spec));
        labels.push_back(label);
    }
    return {torch::stack(images), torch::tensor(labels, torch::kInt64)};
}

// Times the steps after the warm-up ones.
class StepClock : public TrainObserver {
public:
    explicit StepClock(std::int64_t warmup) : warmup_(warmup), start_(Clock::now()), end_(start_) {}
    void onStep(const StepEvent& event) override {
        if (event.step == warmup_) start_ = Clock::now();
        end_ = Clock::now();
    }
    double seconds() const { return std::chrono::duration<double>(end_ - start_).count(); }

private:
    std::int64_t warmup_;
    Clock::time_point start_, end_;
};

class EpochClock : public TrainObserver {
public:
    void onEpoch(const EpochEvent& event) override { seconds.push_back(event.seconds); }
    std::vector<double> seconds;
};

void throwIfStopped(std::stop_token stop) {
    if (stop.stop_requested()) throw BenchCancelled();
}

} // namespace

void writeBenchImages(const fs::path& root, int images, int size) {
    const auto shapes = generateShapes((images + 2) / 3, 1, size);
    std::map<std::string, int> written;
    int total = 0;
    for (const auto& shape : shapes) {
        if (total == images) break;
        const auto folder = root / shape.label;
        fs::create_directories(folder);
        char name[32];
        std::snprintf(name, sizeof name, "%05d.png", written[shape.label]++);
        std::ofstream out(folder / name, std::ios::binary);
        out.write(reinterpret_cast<const char*>(shape.png.data()), std::streamsize(shape.png.size()));
        if (!out) throw Error((folder / name).string() + ": could not be written");
        ++total;
    }
}

BenchWorkloads::BenchWorkloads(fs::path images, fs::path workDir, std::stop_token stop)
    : images_(std::move(images)), workDir_(std::move(workDir)), stop_(stop) {}

Throughput BenchWorkloads::training(const std::string& arch, int batch, int warmup, int steps, bool measureMemory) {
    const CpuBlockCacheScope blockCache; // as runs and evaluations keep theirs
    torch::manual_seed(0);
    const auto oneBatch = loadImages(images_, batch);
    const LabeledTensors data{oneBatch.images.repeat({warmup + steps, 1, 1, 1}), oneBatch.labels.repeat({warmup + steps})};
    if (measureMemory) resetPeakMemory();
    auto model = createClassifier(architectureSpec(arch), int(classCount(images_)));
    TrainConfig config;
    config.arch = arch;
    config.batchSize = batch;
    config.optimizer = "sgd";
    config.learningRate = 0.01;
    config.momentum = 0.9;
    config.schedule = "constant";
    config.epochs = 1;
    config.checkpointMinutes = -1;
    config.device = "cpu";
    Trainer trainer(model, config, torch::kCPU);
    StepClock clock(warmup);
    const auto outcome = trainer.train(data, {}, clock, stop_);
    if (outcome.status == TrainStatus::Cancelled) throw BenchCancelled();
    return {double(batch) * steps / clock.seconds(), measureMemory ? peakMemoryBytes() : 0};
}

Throughput BenchWorkloads::inference(const std::string& arch, int batch, int warmup, int steps, BatchNorm batchNorm) {
    const CpuBlockCacheScope blockCache; // as runs and evaluations keep theirs
    torch::manual_seed(0);
    const auto warmupData = loadImages(images_, batch);
    const auto data = loadImages(images_, std::int64_t(batch) * steps);
    auto model = createClassifier(architectureSpec(arch), int(classCount(images_)));
    model->eval();
    convertToChannelsLast(*model);
    const auto unfolded = [&](torch::Tensor images) { return model->forward(channelsLast(images)); };
    // One evaluate() over the measured batches, as eval and validation pass over a set: folding
    // is done once per pass.
    const auto pass = [&](const LabeledTensors& images) {
        throwIfStopped(stop_);
        if (batchNorm == BatchNorm::Folded) evaluate(*model, images, batch, torch::kCPU, stop_);
        else evaluateWith(unfolded, images, batch, torch::kCPU, stop_);
    };
    for (int step = 0; step < warmup; ++step) pass(warmupData);
    const auto start = Clock::now();
    pass(data);
    return {double(batch) * steps / secondsSince(start), 0};
}

fs::path BenchWorkloads::projectFor(const fs::path& images, const std::string& name) {
    const auto path = workDir_ / (name + ".graft");
    if (fs::exists(path)) return path;
    auto db = createProject(path);
    ImportOptions options;
    options.stop = stop_;
    importImageFolder(db, images, options);
    throwIfStopped(stop_);
    ProjectStore store(db);
    resplitAll(store, SplitPolicy{SplitRatios{0.0, 0.0}, 0, kFirstTask}); // every image trains, as in the notebook loop
    return path;
}

TrainingTime BenchWorkloads::timedRun(const fs::path& project, const std::string& freeze, const std::string& optimizer,
                                      int batch, int epochs) {
    TrainingRequest request;
    request.project = project;
    request.config.arch = "resnet18";
    request.config.freeze = freeze;
    request.config.optimizer = optimizer;
    request.config.learningRate = optimizer == "sgd" ? 0.01 : request.config.learningRate;
    request.config.momentum = 0.9;
    request.config.schedule = "constant";
    request.config.batchSize = batch;
    request.config.epochs = epochs;
    request.config.device = "cpu";
    EpochClock clock;
    const auto start = Clock::now();
    const auto result = runTraining(request, clock, stop_);
    const double seconds = secondsSince(start);
    if (result.status == RunStatus::Cancelled) throw BenchCancelled();
    if (result.status != RunStatus::Finished) throw Error("the benchmark's training run " + std::to_string(result.runId) + " did not finish");
    return {seconds, clock.seconds};
}

TrainingTime BenchWorkloads::fineTuneLastBlock(int batch, int epochs) {
    return timedRun(projectFor(images_, "finetune"), "upto:layer3", "sgd", batch, epochs);
}

TrainingTime BenchWorkloads::linearProbe(const fs::path& probeImages, int batch, int epochs) {
    return timedRun(projectFor(probeImages, "probe"), "probe", "adam", batch, epochs);
}

double BenchWorkloads::inferencePassSeconds(const fs::path& probeImages, int batch) {
    const CpuBlockCacheScope blockCache; // as runs and evaluations keep theirs
    torch::manual_seed(0);
    const auto data = loadImages(probeImages, std::int64_t(imageFolderOrder(probeImages).size()));
    auto model = createClassifier(architectureSpec("resnet18"), int(classCount(probeImages)));
    const auto start = Clock::now();
    const auto pass = evaluate(*model, data, batch, torch::kCPU, stop_);
    if (!pass.complete) throw BenchCancelled();
    return secondsSince(start);
}

double BenchWorkloads::forwardFlops(const std::string& arch) { return double(buildLayerGraph(arch, 3).totalFlops()); }

double BenchWorkloads::resnet18LastBlockFlops() {
    const auto graph = buildLayerGraph("resnet18", 3);
    const auto layer4 = std::find_if(graph.blocks.begin(), graph.blocks.end(),
                                     [](const LayerGraphBlock& block) { return block.name == "layer4"; });
    double flops = 0;
    for (auto block = layer4; block != graph.blocks.end(); ++block) flops += double(block->flops);
    return flops;
}

double BenchWorkloads::gemmGflops(int size, int repeats) {
    const auto a = torch::randn({size, size});
    const auto b = torch::randn({size, size});
    torch::mm(a, b);
    double best = 1e30;
    for (int i = 0; i < repeats; ++i) {
        const auto start = Clock::now();
        torch::mm(a, b);
        best = std::min(best, secondsSince(start));
    }
    return 2.0 * double(size) * size * size / best / 1e9;
}

} // namespace graft::cli
