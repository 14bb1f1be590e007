#include "experiment/BackboneRanking.h"

#include "common/Error.h"
#include "experiment/Transferability.h"
#include "models/Classifier.h"
#include "project/ProjectFile.h"
#include "train/ComputeSetup.h"
#include "train/ProjectTensors.h"

#include <torch/nn/functional/activation.h>

#include <algorithm>
#include <chrono>

namespace graft {
namespace {

constexpr std::size_t kBatch = 64; // images decoded at a time, so large inputs never all sit in memory

struct FrozenOutputs {
    torch::Tensor features;      // N x D, pooled, before the head
    torch::Tensor probabilities; // N x Z, the source head's softmax; undefined without a head
    torch::Tensor labels;        // N
};

FrozenOutputs frozenOutputs(ProjectStore& store, const std::vector<LabeledImage>& images,
                            const std::map<std::int64_t, std::int64_t>& classIndex, const PretrainedBackbone& candidate,
                            const std::function<void(std::int64_t)>& imagesDone, std::stop_token stop) {
    const bool sourceHead = candidate.hasSourceHead();
    const PreprocessSpec input = candidate.transform();
    const auto model = candidate.load();
    auto blocks = model->blocks();
    const auto head = blocks.back();
    blocks.pop_back();
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> features, probabilities, labels;
    for (std::size_t start = 0; start < images.size(); start += kBatch) {
        if (stop.stop_requested()) throw Error("ranking stopped");
        const std::vector<LabeledImage> batch(images.begin() + std::ptrdiff_t(start),
                                              images.begin() + std::ptrdiff_t(std::min(images.size(), start + kBatch)));
        const auto data = loadTensors(store, batch, classIndex, input);
        auto x = data.images;
        for (auto& block : blocks) x = block.forward(x);
        features.push_back(x.flatten(1));
        if (sourceHead) probabilities.push_back(torch::softmax(head.forward(x), 1));
        labels.push_back(data.labels);
        imagesDone(std::int64_t(start + batch.size()));
    }
    return {torch::cat(features), sourceHead ? torch::cat(probabilities) : torch::Tensor(), torch::cat(labels)};
}

} // namespace

std::vector<BackboneRank> rankBackbones(const std::filesystem::path& project, const std::vector<PretrainedBackbone>& candidates,
                                        const ProgressCallback& progress, std::stop_token stop) {
    useCpuCores();
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
            const auto outputs = frozenOutputs(store, images, classIndex, candidate, [&](std::int64_t done) {
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
