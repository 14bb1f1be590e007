// Epoch time of ResNet-18 fine-tuning without the feature cache, with it in memory, and with it
// stored in a project file (as when over the memory budget), at freeze upto:layer3 and as a linear probe. Run: graft_bench_feature_cache [IMAGE_FOLDER] [IMAGES_PER_CLASS]
// The folder defaults to ../shared/data/plantvillage-potato; without it, generated shapes are used.
// Timings only: the weights are random, so accuracy means nothing here.
#include "data/FolderImport.h"
#include "data/ImageDecoding.h"
#include "data/Preprocess.h"
#include "data/SyntheticShapes.h"
#include "models/Architectures.h"
#include "project/ProjectFile.h"
#include "train/ComputeSetup.h"
#include "train/Trainer.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <unistd.h>

using namespace graft;
namespace fs = std::filesystem;

namespace {

LabeledTensors loadFolder(const fs::path& root, int perClass, const PreprocessSpec& spec) {
    std::vector<torch::Tensor> images;
    std::vector<std::int64_t> labels;
    std::int64_t label = 0;
    std::vector<fs::path> classes;
    for (const auto& entry : fs::directory_iterator(root))
        if (entry.is_directory()) classes.push_back(entry.path());
    std::sort(classes.begin(), classes.end());
    for (const auto& folder : classes) {
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(folder)) files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        for (int i = 0; i < perClass && i < int(files.size()); ++i) {
            images.push_back(preprocessForEval(decodeImage(readFileBytes(files[std::size_t(i)]), ColorMode::Rgb), spec));
            labels.push_back(label);
        }
        ++label;
    }
    return {torch::stack(images), torch::tensor(labels, torch::kInt64)};
}

LabeledTensors generated(int perClass, const PreprocessSpec& spec) {
    std::vector<torch::Tensor> images;
    std::vector<std::int64_t> labels;
    const auto shapes = generateShapes(perClass, 1, 256);
    std::map<std::string, std::int64_t> index;
    for (const auto& shape : shapes) {
        images.push_back(preprocessForEval(decodeImage(shape.png, ColorMode::Rgb), spec));
        labels.push_back(index.emplace(shape.label, std::int64_t(index.size())).first->second);
    }
    return {torch::stack(images), torch::tensor(labels, torch::kInt64)};
}

class EpochTimes : public TrainObserver {
public:
    void onEpoch(const EpochEvent& event) override { seconds.push_back(event.seconds); }
    std::vector<double> seconds;
};

} // namespace

int main(int argc, char** argv) {
    useCpuCores();
    const fs::path folder = argc > 1 ? fs::path(argv[1]) : fs::path(GRAFT_SHARED_DATA_DIR) / "plantvillage-potato";
    const int perClass = argc > 2 ? std::atoi(argv[2]) : 64;
    const auto spec = architectureSpec("resnet18");
    const bool real = fs::is_directory(folder);
    const auto data = real ? loadFolder(folder, perClass, spec.preprocess) : generated(perClass, spec.preprocess);
    const auto classes = data.labels.max().item<std::int64_t>() + 1;
    std::printf("ResNet-18 at 224 px, %lld images (%s), %d threads, 3 epochs, batch 32\n\n", (long long)data.size(),
                real ? folder.c_str() : "generated shapes", torch::get_num_threads());
    std::printf("%-14s %-7s %12s %12s %12s %10s\n", "freeze", "cache", "epoch 1 (s)", "epoch 2 (s)", "epoch 3 (s)", "total (s)");
    // "project": over the memory budget, the features are stored in (and read back from) a project.
    const auto project = fs::temp_directory_path() / ("graft-bench-" + std::to_string(::getpid()) + ".graft");
    createProject(project);
    for (const std::string freeze : {"upto:layer3", "probe"}) {
        for (const std::string cache : {"off", "memory", "project"}) {
            torch::manual_seed(0);
            auto model = createClassifier(spec, int(classes));
            TrainConfig config;
            config.arch = "resnet18";
            config.epochs = 3;
            config.batchSize = 32;
            config.learningRate = 1e-3;
            config.freeze = freeze;
            config.featureCache = cache != "off";
            if (cache == "project") config.featureCacheBudgetBytes = 1;
            EpochTimes times;
            const auto started = std::chrono::steady_clock::now();
            Trainer trainer(model, config, torch::kCPU);
            trainer.storeLargeFeaturesIn(project);
            trainer.train(data, {}, times, {});
            const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            std::printf("%-14s %-7s %12.2f %12.2f %12.2f %10.2f\n", freeze.c_str(), cache.c_str(),
                        times.seconds.at(0), times.seconds.at(1), times.seconds.at(2), total);
        }
    }
    std::filesystem::remove(project);
    std::filesystem::remove(project.string() + "-wal");
    std::filesystem::remove(project.string() + "-shm");
    std::printf("\nWith the cache, the frozen blocks run once before epoch 1 (in 'total', not in the epochs).\n");
    return 0;
}
