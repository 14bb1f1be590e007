#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <vector>

namespace graft::cli {

// The benchmark's images: generated shapes as PNG files in ImageFolder layout (root/<class>/),
// so that Graft and the PyTorch reference read the very same files. Written in sorted order.
void writeBenchImages(const std::filesystem::path& root, int images, int size);

// A stop request (Ctrl+C) ended a workload.
class BenchCancelled : public std::runtime_error {
public:
    BenchCancelled() : std::runtime_error("cancelled") {}
};

struct Throughput {
    double imagesPerSecond = 0;
    std::int64_t peakRssBytes = 0; // this workload's peak resident memory, when asked for
};

struct TrainingTime {
    double seconds = 0; // from the start of the run to its trained model
    std::vector<double> epochSeconds;
};

// Graft's side of `graft-cli bench`, each through the code path a Graft user's work takes:
// the Trainer for training steps, evaluate() for inference, and whole training runs on a
// project (decoding, feature cache and checkpoints included) for the fine-tune and the probe.
// Models are randomly initialised: only timings mean anything.
class BenchWorkloads {
public:
    // `images`: the ImageFolder the PyTorch reference reads too. `workDir` holds the projects.
    // Every workload throws BenchCancelled within one batch of a stop request.
    BenchWorkloads(std::filesystem::path images, std::filesystem::path workDir, std::stop_token stop);

    // Full fine-tuning steps (SGD with momentum) on the folder's first `batch` images.
    Throughput training(const std::string& arch, int batch, int warmup, int steps, bool measureMemory);
    // Batched forward passes in eval mode, as validation and prediction run them.
    enum class BatchNorm { Folded, Unfolded }; // evaluate()'s, or the model's own forward()
    Throughput inference(const std::string& arch, int batch, int warmup, int steps, BatchNorm batchNorm = BatchNorm::Folded);
    // ResNet-18 with every block before layer4 frozen, trained on every image of the folder.
    TrainingTime fineTuneLastBlock(int batch, int epochs);
    // ResNet-18 linear probe on the images of `probeImages` (another ImageFolder).
    TrainingTime linearProbe(const std::filesystem::path& probeImages, int batch, int epochs);
    // One inference pass over the decoded images of `probeImages`: the probe's physical floor.
    double inferencePassSeconds(const std::filesystem::path& probeImages, int batch);

    // FLOPs of one forward pass of one 224 px image, in total and through ResNet-18's layer4 and head.
    static double forwardFlops(const std::string& arch);
    static double resnet18LastBlockFlops();
    static double gemmGflops(int size, int repeats);

private:
    std::filesystem::path projectFor(const std::filesystem::path& images, const std::string& name);
    TrainingTime timedRun(const std::filesystem::path& project, const std::string& freeze, const std::string& optimizer,
                          int batch, int epochs);

    std::filesystem::path images_;
    std::filesystem::path workDir_;
    std::stop_token stop_;
};

} // namespace graft::cli
