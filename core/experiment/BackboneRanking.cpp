#include "experiment/BackboneRanking.h"

#include "common/Error.h"
#include "experiment/Transferability.h"
#include "models/Classifier.h"
#include "project/ProjectFile.h"
#include "train/ComputeSetup.h"
#include "train/CpuBlockCache.h"
#include "train/ImageOutputs.h"
#include "train/ProjectTensors.h"

#include <algorithm>
#include <chrono>

namespace graft {
namespace {

struct FrozenOutputs {
    torch::Tensor features;      // N x D, pooled, before the head
    torch::Tensor probabilities; // N x Z, the source head's softmax; undefined without a head
    torch::Tensor labels;        // N
};

torch::Tensor tensorOf(const cv::Mat& rows) {
    return torch::from_blob(rows.data, {rows.rows, rows.cols}, torch::kFloat32).clone();
}

// Streamed from the project batch by batch (outputsOfImages), so large inputs never all sit in memory.
FrozenOutputs frozenOutputs(const std::filesystem::path& project, const std::vector<LabeledImage>& images,
                            const std::map<std::int64_t, std::int64_t>& classIndex, const PretrainedBackbone& candidate,
                            const std::function<void(std::int64_t)>& imagesDone, std::stop_token stop) {
    std::vector<CatalogImage> known;
    std::vector<std::int64_t> labels;
    for (const auto& image : images) {
        const auto found = classIndex.find(image.classId);
        if (found == classIndex.end()) continue;
        known.push_back({image.sha256, 0, 0, image.sha256, image.classId, Split::Train});
        labels.push_back(found->second);
    }
    const bool sourceHead = candidate.hasSourceHead();
    const auto model = candidate.load();
    const auto outputs = outputsOfImages(project, known, *model, candidate.transform(), sourceHead, "ranking " + candidate.name,
                                         [&](const Progress& progress) { imagesDone(progress.done); }, stop);
    return {tensorOf(outputs.features), sourceHead ? tensorOf(outputs.probabilities) : torch::Tensor(),
            torch::tensor(labels, torch::kInt64)};
}

} // namespace

std::vector<BackboneRank> rankBackbones(const std::filesystem::path& project, const std::vector<PretrainedBackbone>& candidates,
                                        const ProgressCallback& progress, std::stop_token stop) {
    useCpuCores();
    const CpuBlockCacheScope blockCache;
    Database db = openProject(project, ProjectAccess::ReadOnly);
    ProjectStore store(db);
    std::vector<std::string> classes;
    for (const auto& summary : store.classSummaries())
        if (summary.train > 0) classes.push_back(summary.name);
    if (classes.size() < 2) throw Error(project.string() + ": ranking needs labelled training images of at least two classes");
    const auto classIndex = classIndexByName(store, classes);
    const auto images = store.labeledImagesInSplit(Split::Train);
    const auto total = std::int64_t(images.size() * candidates.size());

    std::vector<BackboneRank> ranks;
    for (const auto& candidate : candidates) {
        BackboneRank rank{candidate.name, candidate.arch, 0, std::nullopt, std::int64_t(images.size()), 0, {}};
        const auto started = std::chrono::steady_clock::now();
        const auto before = std::int64_t(ranks.size() * images.size());
        try {
            const auto outputs = frozenOutputs(project, images, classIndex, candidate, [&](std::int64_t done) {
                if (progress) progress({candidate.name, before + done, total});
            }, stop);
            rank.logMe = logMe(outputs.features, outputs.labels);
            if (outputs.probabilities.defined()) rank.leep = leep(outputs.probabilities, outputs.labels);
        } catch (const std::exception& error) { // graft's own errors and LibTorch's alike
            if (stop.stop_requested()) throw;
            rank.error = error.what();
        }
        rank.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        ranks.push_back(rank);
    }
    std::stable_sort(ranks.begin(), ranks.end(), [](const auto& a, const auto& b) {
        if (a.error.empty() != b.error.empty()) return a.error.empty();
        return a.logMe > b.logMe;
    });
    return ranks;
}

} // namespace graft
