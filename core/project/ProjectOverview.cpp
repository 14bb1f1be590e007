#include "project/ProjectOverview.h"

#include "project/ProjectStore.h"

namespace graft {

ProjectOverview overviewOf(Database& db) {
    ProjectStore store(db);
    ProjectOverview overview;
    overview.images = store.imageCount();
    overview.unlabelled = store.unlabeledCount();
    for (const auto& summary : store.classSummaries()) {
        overview.classes += summary.images > 0 ? 1 : 0;
        overview.trainingClasses += summary.train > 0 ? 1 : 0;
    }
    overview.finishedRuns = db.queryInt("SELECT count(*) FROM runs WHERE status = 'finished'");
    overview.newestFinishedRun = db.queryInt("SELECT coalesce(max(id), 0) FROM runs WHERE status = 'finished'");
    auto first = db.prepare("SELECT sha256 FROM images ORDER BY rowid LIMIT 1");
    if (first.step()) overview.firstImage = store.imageBytes(first.columnText(0));
    return overview;
}

} // namespace graft
