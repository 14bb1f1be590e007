#include "ProjectSummary.h"

#include "experiment/ComparisonReport.h"
#include "experiment/ExperimentComparison.h"
#include "project/ExperimentStore.h"

#include <QObject>

namespace graft::ui {
namespace {

QString newestVerdict(Database& db) {
    const auto experiments = ExperimentStore(db).experiments();
    if (experiments.empty()) return {};
    const auto comparison = compareExperiment(db.path(), experiments.back().id);
    const ArmBudgetResult* unclear = nullptr;
    for (const auto& result : comparison.results) { // budget by budget, smallest first
        if (!result.versusBaseline) continue;
        if (result.versusBaseline->verdict != Verdict::NoEvidence)
            return QString::fromStdString(result.arm + ": " + verdictCellText(comparison, result) + " at " +
                                          comparison.spec.budgetText(result.budget));
        if (!unclear) unclear = &result;
    }
    if (unclear)
        return QString::fromStdString(unclear->arm + ": no evidence at " + comparison.spec.budgetText(unclear->budget));
    // Arms that learn several tasks have a verdict per task.
    const SharedTaskResult* unclearTask = nullptr;
    for (const auto& task : comparison.tasks)
        for (const auto& shared : task.shared) {
            if (!shared.versusAlone) continue;
            if (shared.versusAlone->verdict != Verdict::NoEvidence)
                return QString::fromStdString(shared.arm + ": " + sharingVerdictText(shared.versusAlone->verdict, task.task) +
                                              " at " + comparison.spec.budgetText(shared.budget));
            if (!unclearTask) unclearTask = &shared;
        }
    if (unclearTask)
        return QString::fromStdString(unclearTask->arm + ": no evidence at " + comparison.spec.budgetText(unclearTask->budget));
    return QObject::tr("experiment %1 not run yet").arg(experiments.back().id);
}

} // namespace

ProjectSummary summarizeProject(Database& db) { return {overviewOf(db), newestVerdict(db)}; }

} // namespace graft::ui
