#include "export/RunExport.h"

#include "common/Error.h"
#include "models/Classifier.h"
#include "project/ProjectFile.h"
#include "train/ComputeSetup.h"
#include "train/ProjectTensors.h"
#include "train/RunModel.h"

#include <torch/script.h>

#include <cstdio>

namespace graft {
namespace {

constexpr std::size_t kBatch = 64;

std::vector<LabeledImage> replayImages(ProjectStore& store, const std::map<std::int64_t, std::int64_t>& classIndex,
                                       Split& split) {
    for (const Split candidate : {Split::Test, Split::Val, Split::Train}) {
        std::vector<LabeledImage> images;
        for (const auto& image : store.labeledImagesInSplit(candidate))
            if (classIndex.contains(image.classId)) images.push_back(image);
        if (!images.empty()) {
            split = candidate;
            return images;
        }
    }
    return {};
}

ExportReplay replay(Database& db, const RunModel& run, const std::filesystem::path& file, bool softmax,
                    const ProgressCallback& progress, std::stop_token stop) {
    ProjectStore store(db);
    const auto classIndex = classIndexByName(store, run.spec.classes);
    ExportReplay result;
    result.checkpointEpoch = run.checkpointEpoch;
    result.bestCheckpoint = run.bestCheckpoint;
    const auto images = replayImages(store, classIndex, result.split);
    if (images.empty()) throw Error("no labelled images of the run's classes to replay the export on");

    auto exported = torch::jit::load(file.string(), torch::kCPU);
    exported.eval();
    torch::NoGradGuard noGrad;
    for (std::size_t start = 0; start < images.size(); start += kBatch) {
        if (stop.stop_requested()) throw Error("export stopped");
        const std::vector<LabeledImage> batch(images.begin() + std::ptrdiff_t(start),
                                              images.begin() + std::ptrdiff_t(std::min(images.size(), start + kBatch)));
        const auto data = loadTensors(store, batch, classIndex, run.architecture.preprocess);
        auto graft = run.model->forward(data.images);
        if (softmax) graft = torch::softmax(graft, 1);
        const auto theirs = exported.forward({data.images}).toTensor();
        result.maxDifference = std::max(result.maxDifference, (theirs - graft).abs().max().item<double>());
        result.topOneAgreements += theirs.argmax(1).eq(graft.argmax(1)).sum().item<std::int64_t>();
        result.images += std::int64_t(batch.size());
        if (progress) progress({"replaying", result.images, std::int64_t(images.size())});
    }
    if (result.topOneAgreements != result.images || !(result.maxDifference <= kExportTolerance)) {
        char figures[160];
        std::snprintf(figures, sizeof figures, "the top class agrees on %lld of %lld images, outputs differ by up to %.3g",
                      (long long)result.topOneAgreements, (long long)result.images, result.maxDifference);
        throw Error(std::string("the export does not reproduce Graft: ") + figures);
    }
    return result;
}

} // namespace

ExportReplay exportRunTorchScript(const std::filesystem::path& project, std::int64_t runId, const std::filesystem::path& file,
                                  const TorchScriptExportOptions& options, const ProgressCallback& progress,
                                  std::stop_token stop) {
    useCpuCores();
    Database db = openProject(project, ProjectAccess::ReadOnly);
    const RunModel run = loadRunModel(db, runId, project.string() + " run " + std::to_string(runId));
    exportTorchScript(*run.model, file, options);
    try {
        return replay(db, run, file, options.softmax, progress, stop);
    } catch (const std::exception& error) {
        std::error_code ignored;
        std::filesystem::remove(file, ignored);
        throw Error(file.string() + ": " + error.what() + "; not kept");
    }
}

} // namespace graft
