#include "selection/Suggestions.h"

#include "common/Error.h"
#include "models/Classifier.h"
#include "project/ProjectFile.h"
#include "train/ComputeSetup.h"
#include "train/CpuBlockCache.h"
#include "train/ImageOutputs.h"
#include "train/RunModel.h"

#include <algorithm>

namespace graft {

std::vector<Suggestion> suggestImages(const std::filesystem::path& project, const SuggestionRequest& request,
                                      const ProgressCallback& progress, std::stop_token stop) {
    if (request.runId.has_value() == request.backbone.has_value())
        throw Error("suggestions need either a finished run or a pretrained backbone for their features");
    if (needsProbabilities(request.strategy) && !request.runId)
        throw Error("the '" + std::string(strategyName(request.strategy)) + "' strategy needs a finished run's predictions");
    useCpuCores();
    const CpuBlockCacheScope blockCache;
    Database db = openProject(project, ProjectAccess::ReadOnly);
    ProjectStore store(db);
    const auto images = store.catalog();
    SelectionPool pool;
    for (const auto& image : images) pool.labelled.push_back(image.classId.has_value());
    if (std::find(pool.labelled.begin(), pool.labelled.end(), false) == pool.labelled.end())
        throw Error(project.string() + ": every image is labelled; import more images to get suggestions");

    std::vector<std::string> classes;
    ImageOutputs outputs;
    if (request.runId) {
        const std::string source = project.string() + " run " + std::to_string(*request.runId);
        const RunModel run = loadRunModel(db, *request.runId, source);
        classes = run.spec.classes;
        outputs = outputsOfImages(project, images, *run.model, run.architecture.preprocess, true, source, progress, stop);
    } else {
        const auto model = request.backbone->load();
        outputs = outputsOfImages(project, images, *model, request.backbone->transform(), false,
                                  project.string() + " with " + request.backbone->name, progress, stop);
    }
    pool.features = outputs.features;
    pool.probabilities = outputs.probabilities;
    if (progress) progress({"choosing images", 0, 0});

    std::vector<Suggestion> suggestions;
    for (const auto& pick : selectRows(pool, request.strategy, request.count, request.seed, stop)) {
        Suggestion suggestion{images[pick.row].sha256, images[pick.row].source, pick.score, std::nullopt, std::nullopt};
        if (!pool.probabilities.empty()) {
            const float* p = pool.probabilities.ptr<float>(int(pick.row));
            const auto best = std::max_element(p, p + pool.probabilities.cols) - p;
            suggestion.predicted = classes.at(std::size_t(best));
            suggestion.confidence = double(p[best]);
        }
        suggestions.push_back(std::move(suggestion));
    }
    return suggestions;
}

} // namespace graft
