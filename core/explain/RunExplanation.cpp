#include "explain/RunExplanation.h"

#include "common/Error.h"
#include "data/ImageDecoding.h"
#include "data/Preprocess.h"
#include "explain/GradCam.h"
#include "explain/HeatMapOverlay.h"
#include "models/Classifier.h"
#include "project/ProjectFile.h"
#include "train/RunModel.h"

#include <algorithm>

namespace graft {

std::vector<RunExplanation> explainWithRuns(const std::filesystem::path& project, const std::vector<std::int64_t>& runIds,
                                            std::span<const std::uint8_t> encodedImage, int topK, std::stop_token stop) {
    Database db = openProject(project, ProjectAccess::ReadOnly);
    std::vector<RunExplanation> explanations;
    for (const auto runId : runIds) {
        const std::string source = project.string() + " run " + std::to_string(runId);
        if (stop.stop_requested()) throw Error(source + ": explanation stopped");
        const RunModel run = loadRunModel(db, runId, source);
        const auto& input = run.architecture.preprocess;
        const auto image = preprocessForEval(decodeImage(encodedImage, input.color), input);
        const auto cam = gradCam(*run.model, image);
        const auto probabilities = cam.logits.softmax(0);
        const auto [values, indices] = probabilities.topk(std::min<std::int64_t>(topK, probabilities.size(0)));
        RunExplanation explanation{runId, cam.block, {}, viewedImage(image, input), {}};
        for (std::int64_t rank = 0; rank < values.size(0); ++rank)
            explanation.top.push_back({run.spec.classes.at(std::size_t(indices[rank].item<std::int64_t>())), values[rank].item<double>()});
        explanation.heatMap = heatMapOverlay(explanation.viewed, cam.map);
        explanations.push_back(std::move(explanation));
    }
    return explanations;
}

} // namespace graft
