// Whether augmented training waits on JPEG decoding: decode+augment throughput of the batch
// pipeline alone, then an epoch of ResNet-18 (upto:layer3) with --augment standard, reporting how
// much of it the trainer spent waiting for batches.
// Run: graft_bench_augmented_pipeline [IMAGE_FOLDER] [IMAGES_PER_CLASS] [GRID.png]
// The folder defaults to ../shared/data/plantvillage-potato; without it, generated shapes are
// used. With GRID.png, 16 augmented images are also written there to look at.
#include "data/AugmentedBatches.h"
#include "data/ImageDecoding.h"
#include "data/SyntheticShapes.h"
#include "models/Architectures.h"
#include "train/ComputeSetup.h"
#include "train/Trainer.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <numeric>
#include <thread>

using namespace graft;
namespace fs = std::filesystem;

namespace {

struct EncodedSet {
    std::vector<std::vector<std::uint8_t>> images;
    std::vector<std::int64_t> labels;
};

EncodedSet readFolder(const fs::path& root, int perClass) {
    EncodedSet set;
    std::vector<fs::path> classes;
    for (const auto& entry : fs::directory_iterator(root))
        if (entry.is_directory()) classes.push_back(entry.path());
    std::sort(classes.begin(), classes.end());
    for (std::size_t label = 0; label < classes.size(); ++label) {
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(classes[label])) files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        for (int i = 0; i < perClass && i < int(files.size()); ++i) {
            set.images.push_back(readFileBytes(files[std::size_t(i)]));
            set.labels.push_back(std::int64_t(label));
        }
    }
    return set;
}

EncodedSet generated(int perClass) {
    EncodedSet set;
    std::map<std::string, std::int64_t> index;
    for (auto& shape : generateShapes(perClass, 1, 256)) {
        set.labels.push_back(index.emplace(shape.label, std::int64_t(index.size())).first->second);
        set.images.push_back(std::move(shape.png));
    }
    return set;
}

BatchPlan wholeEpoch(std::size_t images) {
    BatchPlan plan;
    plan.order.resize(images);
    std::iota(plan.order.begin(), plan.order.end(), 0);
    plan.batchSize = 32;
    plan.epochSeed = 1;
    return plan;
}

void writeGrid(const fs::path& path, const torch::Tensor& batch, const PreprocessSpec& spec) {
    const auto mean = torch::tensor(std::vector<float>(spec.mean.begin(), spec.mean.end())).view({1, 3, 1, 1});
    const auto std = torch::tensor(std::vector<float>(spec.std.begin(), spec.std.end())).view({1, 3, 1, 1});
    const auto pixels = (batch.slice(0, 0, 16) * std + mean).clamp(0, 1).mul(255).to(torch::kUInt8);
    const int size = spec.crop;
    cv::Mat grid(4 * size, 4 * size, CV_8UC3, cv::Scalar::all(0));
    for (int i = 0; i < std::min<int>(16, int(pixels.size(0))); ++i) {
        const auto hwc = pixels[i].permute({1, 2, 0}).contiguous();
        cv::Mat rgb(size, size, CV_8UC3, hwc.data_ptr<std::uint8_t>()), bgr;
        cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
        bgr.copyTo(grid(cv::Rect((i % 4) * size, (i / 4) * size, size, size)));
    }
    cv::imwrite(path.string(), grid);
}

class EpochTimes : public TrainObserver {
public:
    void onEpoch(const EpochEvent& event) override { epochs.push_back(event); }
    std::vector<EpochEvent> epochs;
};

} // namespace

int main(int argc, char** argv) {
    useCpuCores();
    const fs::path folder = argc > 1 ? fs::path(argv[1]) : fs::path(GRAFT_SHARED_DATA_DIR) / "plantvillage-potato";
    const int perClass = argc > 2 ? std::atoi(argv[2]) : 64;
    const bool real = fs::is_directory(folder);
    const auto set = real ? readFolder(folder, perClass) : generated(perClass);
    const ImageBytesInMemory encoded(set.images);
    const auto spec = architectureSpec("resnet18");
    const auto augment = AugmentSpec::parse("standard");
    const int cores = int(std::thread::hardware_concurrency());
    std::printf("%zu images (%s), %d cores, ResNet-18 preprocessing (224 px), --augment standard\n\n", set.images.size(),
                real ? folder.c_str() : "generated shapes", cores);

    std::vector<int> workerCounts = {1};
    for (const int count : {std::max(1, cores / 2), cores})
        if (count != workerCounts.back()) workerCounts.push_back(count);
    { // warm-up: the page cache and OpenCV's first-use costs stay out of the figures
        AugmentedBatches batches(encoded, spec.preprocess, augment, wholeEpoch(set.images.size()), cores, 4);
        while (!batches.done()) batches.next();
    }
    std::printf("%-16s %14s\n", "loader threads", "images/s");
    for (const int workers : workerCounts) {
        const auto started = std::chrono::steady_clock::now();
        AugmentedBatches batches(encoded, spec.preprocess, augment, wholeEpoch(set.images.size()), workers, 4);
        torch::Tensor first;
        while (!batches.done()) {
            auto batch = batches.next();
            if (!first.defined()) first = batch;
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::printf("%-16d %14.1f\n", workers, double(set.images.size()) / seconds);
        if (argc > 3 && workers == 1) writeGrid(argv[3], first, spec.preprocess);
    }

    std::printf("\n%-16s %14s %18s %10s\n", "loader threads", "epoch (s)", "waiting (s)", "waiting");
    const auto labels = torch::tensor(set.labels, torch::kInt64);
    const int classes = int(labels.max().item<std::int64_t>()) + 1;
    for (const int workers : workerCounts) {
        torch::manual_seed(0);
        TrainConfig config;
        config.arch = "resnet18";
        config.epochs = 1;
        config.batchSize = 32;
        config.freeze = "upto:layer3";
        config.augment = "standard";
        config.loaderThreads = workers;
        config.checkpointMinutes = -1;
        Trainer trainer(createClassifier(spec, classes), config, torch::kCPU);
        trainer.trainFromEncoded(encoded, spec.preprocess);
        EpochTimes times;
        trainer.train({torch::Tensor(), labels}, {}, times, {});
        const auto& epoch = times.epochs.front();
        std::printf("%-16d %14.2f %18.2f %9.1f%%\n", workers, epoch.seconds, epoch.dataWaitSeconds,
                    100.0 * epoch.dataWaitSeconds / epoch.seconds);
    }
    return 0;
}
