#include "ImageExplanation.h"

#include "CvImage.h"

#include "explain/RunExplanation.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"

namespace graft::ui {

std::vector<ImageExplanation> explainProjectImage(const std::filesystem::path& project, const std::vector<qint64>& runIds,
                                                  const QString& sha256, std::stop_token stop) {
    std::vector<std::uint8_t> bytes;
    {
        Database db = openProject(project, ProjectAccess::ReadOnly);
        bytes = ProjectStore(db).imageBytes(sha256.toStdString());
    }
    std::vector<ImageExplanation> shown;
    for (const auto& explanation : explainWithRuns(project, {runIds.begin(), runIds.end()}, bytes, 3, stop)) {
        ImageExplanation item{explanation.runId, QString::fromStdString(explanation.block), {}, qImageOfRgb(explanation.viewed),
                              qImageOfRgb(explanation.heatMap)};
        for (const auto& score : explanation.top) item.top.emplace_back(QString::fromStdString(score.label), score.probability);
        shown.push_back(std::move(item));
    }
    return shown;
}

} // namespace graft::ui
