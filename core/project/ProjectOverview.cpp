#include "project/ProjectOverview.h"

#include "project/ProjectStore.h"

namespace graft {

ProjectOverview overviewOf(Database& db) {
    ProjectStore store(db);
    ProjectOverview overview;
    overview.images = store.imageCount();
    overview.unlabelled = store.unlabeledCount();
    // Counted in SQL rather than from classSummaries, which joins every label to its split
    // (0.4 s at 100,000 images): a label key press re-reads this overview.
    // The first task's, as a run trains on unless told another.
    overview.classes = db.queryInt("SELECT count(DISTINCT class_id) FROM labels WHERE task_id = " + std::to_string(kFirstTask));
    overview.trainingClasses = db.queryInt("SELECT count(*) FROM classes c WHERE c.task_id = " + std::to_string(kFirstTask) +
                                           " AND EXISTS (SELECT 1 FROM labels l JOIN splits s ON s.image = l.image "
                                           "WHERE l.class_id = c.id AND s.split = 'train')");
    overview.finishedRuns = db.queryInt("SELECT count(*) FROM runs WHERE status = 'finished'");
    overview.newestFinishedRun = db.queryInt("SELECT coalesce(max(id), 0) FROM runs WHERE status = 'finished'");
    auto first = db.prepare("SELECT sha256 FROM images ORDER BY rowid LIMIT 1");
    if (first.step()) overview.firstImage = store.imageBytes(first.columnText(0));
    return overview;
}

} // namespace graft
