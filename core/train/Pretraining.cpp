#include "train/Pretraining.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Sha256.h"
#include "common/Version.h"
#include "data/AutoImport.h"
#include "data/ProjectSplits.h"
#include "project/ProjectFile.h"
#include "train/RunEvaluation.h"
#include "train/TrainingSession.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <set>

namespace graft {
namespace {

namespace fs = std::filesystem;

// The scratch project goes however pretraining ends.
class ScratchProject {
public:
    explicit ScratchProject(fs::path path) : path_(std::move(path)) { remove(); }
    ~ScratchProject() { remove(); }
    const fs::path& path() const { return path_; }

private:
    void remove() {
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm", "-journal", "-lock"}) fs::remove(path_.string() + suffix, ignored);
    }
    fs::path path_;
};

nlohmann::json pathsJson(const std::vector<fs::path>& paths) {
    auto list = nlohmann::json::array();
    for (const auto& path : paths) list.push_back(fs::absolute(path).lexically_normal().string());
    return list;
}

struct ImportedSource {
    std::int64_t trainImages = 0;
    std::int64_t testImages = 0;
    std::vector<std::string> classes;
};

// Training sources go to the train split and test sources to the test split; an image in both
// stays in training, so the held-out accuracy never counts a training image.
ImportedSource importSources(const PretrainingRequest& request, const fs::path& project,
                             const ProgressCallback& progress, std::stop_token stop) {
    Database db = createProject(project);
    ProjectStore store(db);
    resplitAll(store, SplitPolicy{SplitRatios{0.0, 0.0}, request.config.seed, kFirstTask});
    const ImportOptions options{progress, stop, std::nullopt, std::nullopt};
    if (importPaths(db, request.trainSources, {}, options).cancelled) return {};
    std::set<std::string> training;
    for (const auto& image : store.labeledImagesInSplit(Split::Train)) training.insert(image.sha256);
    if (training.empty()) throw Error("the training sources hold no labelled images");
    if (!request.testSources.empty() && importPaths(db, request.testSources, {}, options).cancelled) return {};

    ImportedSource imported;
    Transaction transaction(db);
    for (const auto& image : store.labeledImagesInSplit(Split::Train)) {
        if (training.contains(image.sha256)) ++imported.trainImages;
        else {
            store.setSplit(image.sha256, Split::Test);
            ++imported.testImages;
        }
    }
    transaction.commit();
    for (const auto& summary : store.classSummaries()) imported.classes.push_back(summary.name);
    return imported;
}

} // namespace

PretrainingResult pretrainBackbone(const PretrainingRequest& request, TrainObserver& observer,
                                   const ProgressCallback& importProgress, std::stop_token stop) {
    if (request.name.empty() || request.name.find_first_of("/\\: ") != std::string::npos)
        throw Error("'" + request.name + "' cannot name weights: use letters, digits, '-' and '_'");
    if (request.trainSources.empty()) throw Error("pretraining needs a labelled source dataset");
    request.config.validate();
    std::error_code error;
    fs::create_directories(request.outputFolder, error);
    if (error) throw Error(request.outputFolder.string() + ": cannot be created (" + error.message() + ")");

    const auto started = std::chrono::steady_clock::now();
    ScratchProject project(request.outputFolder / ("." + request.name + ".pretraining.graft"));
    const auto imported = importSources(request, project.path(), importProgress, stop);
    PretrainingResult result;
    if (stop.stop_requested()) {
        result.status = RunStatus::Cancelled;
        return result;
    }

    TrainingRequest training;
    training.project = project.path();
    training.config = request.config;
    const fs::path weights = request.outputFolder / (request.name + ".pt");
    const fs::path pending = request.outputFolder / ("." + request.name + ".pt.pending");
    training.saveWeightsTo = pending;
    const auto trained = runTraining(training, observer, stop);
    result.status = trained.status;
    if (trained.status != RunStatus::Finished) {
        fs::remove(pending, error);
        return result;
    }
    result.trainImages = imported.trainImages;
    result.testImages = imported.testImages;
    if (imported.testImages > 0) result.testAccuracy = evaluateRun(project.path(), trained.runId, Split::Test, stop).accuracy;
    fs::rename(pending, weights, error);
    if (error) throw Error(weights.string() + ": cannot be written (" + error.message() + ")");
    result.weightsFile = weights;
    result.sha256 = fileSha256Hex(weights);

    const nlohmann::json manifest = {
        {"name", request.name},
        {"arch", request.config.arch},
        {"madeBy", std::string("graft-cli pretrain, Graft ") + kGraftVersion},
        {"command", request.command},
        {"source", {{"train", pathsJson(request.trainSources)}, {"trainImages", imported.trainImages},
                    {"test", pathsJson(request.testSources)}, {"testImages", imported.testImages},
                    {"classes", imported.classes}}},
        {"epochs", trained.epochsCompleted},
        {"steps", trained.steps},
        {"seed", request.config.seed},
        {"recipe", nlohmann::json::parse(request.config.toJson())},
        {"testAccuracy", result.testAccuracy ? nlohmann::json(*result.testAccuracy) : nlohmann::json(nullptr)},
        {"device", trained.device},
        {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()},
        {"file", weights.filename().string()},
        {"sha256", result.sha256}};
    result.manifestFile = request.outputFolder / (request.name + ".json");
    writeFileAtomically(result.manifestFile, manifest.dump(2) + "\n");
    return result;
}

} // namespace graft
