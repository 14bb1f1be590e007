// What FixMatch costs per epoch: a supervised epoch against a semi-supervised one on the same
// labelled images, each a whole runTraining (decoding, the unlabelled stream's weak and strong
// views, metrics, checkpoints). A FixMatch step runs 1 + 2 mu times the images of a supervised
// one through the network, so the labelled images per second fall by about that factor; the
// figure to watch is the images the network sees per second, which should stay near the
// supervised rate (the strong views are made on loader threads, ahead of the trainer).
// Run: graft_bench_semi_supervised [ARCH] [MU] [PER_CLASS]   (tinynet, 7, 300)
#include "data/SyntheticShapes.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "train/ComputeSetup.h"
#include "train/TrainingSession.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

using namespace graft;
namespace fs = std::filesystem;

namespace {

struct EpochFigures {
    double seconds = 0;
    std::int64_t labelled = 0;
};

EpochFigures timedEpoch(const fs::path& project, const std::string& arch, int mu, bool fixMatch) {
    TrainingRequest request;
    request.project = project;
    request.config.arch = arch;
    request.config.epochs = 1;
    request.config.batchSize = 32;
    request.config.augment = "crop:0.8,flip:0.5";
    request.config.checkpointMinutes = -1;
    if (fixMatch) {
        request.config.semiSupervised = "fixmatch";
        request.config.unlabelledRatio = mu;
    }
    TrainObserver quiet;
    const auto started = std::chrono::steady_clock::now();
    const auto result = runTraining(request, quiet, {});
    return {std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), result.trainImages};
}

} // namespace

int main(int argc, char** argv) {
    useCpuCores();
    const std::string arch = argc > 1 ? argv[1] : "tinynet";
    const int mu = argc > 2 ? std::atoi(argv[2]) : 7;
    const int perClass = argc > 3 ? std::atoi(argv[3]) : 300;
    const fs::path dir = fs::temp_directory_path() / "graft-semi-supervised-bench";
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path project = dir / "shapes.graft";
    {
        Database db = createProject(project);
        importSyntheticShapes(db, perClass, 1);
        ProjectStore store(db);
        const auto training = store.labeledImagesInSplit(Split::Train);
        for (std::size_t i = 0; i < training.size(); i += 2) store.clearLabel(training[i].sha256); // the pool
    }
    const auto supervised = timedEpoch(project, arch, mu, false);
    const auto semi = timedEpoch(project, arch, mu, true);
    const double seenPerLabelled = 1.0 + 2.0 * mu;
    std::printf("%s, batch 32, mu %d, %lld labelled training images, 1 epoch each (whole runs)\n", arch.c_str(), mu,
                (long long)supervised.labelled);
    std::printf("%-16s %10s %18s %22s\n", "", "seconds", "labelled images/s", "images seen by net/s");
    std::printf("%-16s %10.2f %18.1f %22.1f\n", "supervised", supervised.seconds, double(supervised.labelled) / supervised.seconds,
                double(supervised.labelled) / supervised.seconds);
    std::printf("%-16s %10.2f %18.1f %22.1f\n", "FixMatch", semi.seconds, double(semi.labelled) / semi.seconds,
                double(semi.labelled) * seenPerLabelled / semi.seconds);
    std::printf("FixMatch epoch / supervised epoch: %.1fx the time for %.0fx the images\n", semi.seconds / supervised.seconds,
                seenPerLabelled);
    fs::remove_all(dir);
    return 0;
}
