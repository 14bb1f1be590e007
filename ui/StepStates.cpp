#include "StepStates.h"

#include <QObject>

namespace graft::ui {

namespace {

QString tr(const char* text) { return QObject::tr(text); }

// English plurals without a translation file: "1 class", "3 classes".
QString count(qint64 n, const char* one, const char* many) { return n == 1 ? QObject::tr(one) : QObject::tr(many).arg(n); }

} // namespace

std::vector<StepState> stepStates(const WorkbenchState& state) {
    if (!state.project) return std::vector<StepState>(6, {tr("open or create a project"), true});
    const auto& overview = state.project->overview;
    const bool trainable = overview.trainingClasses >= 2;
    const bool trained = overview.finishedRuns > 0;
    std::vector<StepState> steps;
    steps.push_back(overview.images == 0 ? StepState{tr("import images: drop a folder"), false}
                                         : StepState{count(overview.classes, "1 class", "%1 classes") +
                                                         tr(" · %1 unlabelled").arg(overview.unlabelled),
                                                     false});
    steps.push_back({state.architecture + " · " +
                         (state.frozenBlocks == 0 ? tr("all blocks train") : count(state.frozenBlocks, "1 block frozen", "%1 blocks frozen")),
                     false});
    if (state.training) steps.push_back({tr("training · %1 %").arg(state.trainingPercent), false});
    else if (!trainable) steps.push_back({tr("label at least 2 classes"), true, Step::Data});
    else if (trained) steps.push_back({count(overview.finishedRuns, "1 run finished", "%1 runs finished"), false});
    else steps.push_back({tr("ready to train"), false});
    if (!state.project->verdict.isEmpty()) steps.push_back({state.project->verdict, false});
    else if (trainable) steps.push_back({tr("run an experiment on Train"), true, Step::Train});
    else steps.push_back({tr("label at least 2 classes"), true, Step::Data});
    const StepState needsRun{trainable ? tr("train a run first") : tr("label at least 2 classes, then train"), true,
                             trainable ? Step::Train : Step::Data};
    steps.push_back(trained ? StepState{tr("run %1 ready").arg(overview.newestFinishedRun), false} : needsRun);
    steps.push_back(trained ? StepState{tr("run %1 ready").arg(overview.newestFinishedRun), false} : needsRun);
    return steps;
}

} // namespace graft::ui
