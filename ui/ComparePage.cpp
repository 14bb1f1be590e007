#include "ComparePage.h"

#include "ArmColors.h"
#include "ExplanationView.h"
#include "JobController.h"
#include "PlotStyle.h"
#include "QCustomPlotInclude.h"
#include "RunErrorsView.h"

#include "experiment/ComparisonReport.h"
#include "experiment/ExperimentSpec.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"
#include "project/RunStore.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QScrollBar>
#include <QScrollArea>
#include <QSplitter>
#include <QTableWidget>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <map>
#include <utility>

namespace graft::ui {
namespace {

constexpr int kVerdictColumn = 6; // of the comparison table

QColor verdictColor(Verdict verdict) {
    switch (verdict) {
    case Verdict::TransferHelps: return {46, 160, 67};
    case Verdict::NegativeTransfer: return {207, 34, 46};
    case Verdict::NoEvidence: break;
    }
    return {110, 118, 129};
}

} // namespace

ComparePage::ComparePage(QWidget* parent)
    : QWidget(parent), experiment_(new QComboBox), table_(new QTableWidget(0, 9)), tabs_(new QTabWidget),
      curves_(new QCustomPlot), note_(new QLabel), trial_(new QComboBox), armErrors_(new RunErrorsView),
      baselineErrors_(new RunErrorsView), explanation_(new ExplanationView), explaining_(new JobController(this)),
      inspection_(new JobController(this)),
      rankButton_(new QPushButton(tr("Rank cached backbones"))), cancelRanking_(new QPushButton(tr("Cancel"))),
      rankingNote_(new QLabel), rankingTable_(new QTableWidget(0, 7)), ranking_(new JobController(this)) {
    experiment_->setObjectName("experimentChoice");
    table_->setObjectName("comparisonTable");
    table_->setAccessibleName(tr("Verdicts"));
    // ECE beside the score it qualifies, so it is in view at 1280 px.
    table_->setHorizontalHeaderLabels({tr("Arm"), tr("Labels per class"), tr("Seeds"), tr("Held-out accuracy [95 % CI]"),
                                       tr("ECE [95 % CI]"), tr("Difference from baseline [95 % CI]"), tr("Verdict"),
                                       tr("McNemar"), tr("Labels saved")});
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setTabKeyNavigation(false); // Tab moves on to the next control; arrows move in the table
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents); // "labels saved" wraps
    table_->verticalHeader()->hide();
    curves_->setObjectName("labelEfficiency");
    curves_->xAxis->setLabel(tr("labelled images per class"));
    curves_->yAxis->setLabel(tr("held-out accuracy"));
    curves_->legend->setVisible(true);
    // Accuracy climbs towards the top right, where the largest budget's points sit; below chance
    // at the bottom right there is nothing to hide.
    curves_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    curves_->setMinimumHeight(220);
    followPalette(curves_);
    note_->setObjectName("comparisonNote");
    note_->setWordWrap(true);

    auto* chooser = new QHBoxLayout;
    auto* experimentLabel = new QLabel(tr("Experiment"));
    experimentLabel->setBuddy(experiment_); // names the choice for screen readers
    chooser->addWidget(experimentLabel);
    chooser->addWidget(experiment_, 1);
    auto* efficiency = new QWidget;
    auto* efficiencyLayout = new QVBoxLayout(efficiency);
    efficiencyLayout->addWidget(curves_, 1);
    efficiencyLayout->addWidget(note_);
    tabs_->addTab(efficiency, tr("Label efficiency"));

    trial_->setObjectName("trialChoice");
    auto* errors = new QWidget;
    auto* trialRow = new QHBoxLayout;
    auto* trialLabel = new QLabel(tr("Trial"));
    trialLabel->setBuddy(trial_);
    trialRow->addWidget(trialLabel);
    trialRow->addWidget(trial_, 1);
    auto* sideBySide = new QSplitter;
    sideBySide->addWidget(armErrors_);
    sideBySide->addWidget(baselineErrors_);
    auto* errorsAndExplanation = new QSplitter(Qt::Vertical);
    errorsAndExplanation->addWidget(sideBySide);
    errorsAndExplanation->addWidget(explanation_);
    errorsAndExplanation->setStretchFactor(0, 3);
    errorsAndExplanation->setStretchFactor(1, 1);
    explanation_->showMessage(tr("Click a misclassified image to see where each model looked."));
    auto* errorsLayout = new QVBoxLayout(errors);
    errorsLayout->addLayout(trialRow);
    errorsLayout->addWidget(errorsAndExplanation, 1);
    // Two confusion matrices, their errors and two heat maps need 960 px: below that the tab
    // scrolls rather than make the window taller than a 1280 x 800 screen.
    auto* errorsScroll = new QScrollArea;
    errorsScroll->setWidget(errors);
    errorsScroll->setWidgetResizable(true);
    errorsScroll->setFrameShape(QFrame::NoFrame);
    errorsScroll->setFocusPolicy(Qt::NoFocus); // Tab goes through the tab's controls, which scroll into view
    tabs_->addTab(errorsScroll, tr("Errors and confusion"));

    rankingTable_->setObjectName("rankingTable");
    rankingTable_->setAccessibleName(tr("Backbone ranking"));
    rankingTable_->setHorizontalHeaderLabels(
        {tr("Backbone"), tr("Architecture"), tr("LogME"), tr("LEEP"), tr("Images"), tr("Seconds"), tr("Problem")});
    rankingTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    rankingTable_->setTabKeyNavigation(false);
    rankingTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    rankingTable_->horizontalHeader()->setStretchLastSection(true);
    rankingTable_->setToolTip(tr("LogME and LEEP score frozen features on the labelled training images before any "
                                 "training: higher is better; compare backbones by them, then confirm with an experiment"));
    rankButton_->setObjectName("rankBackbones");
    cancelRanking_->setEnabled(false);
    rankingNote_->setWordWrap(true);
    auto* ranking = new QWidget;
    auto* rankingButtons = new QHBoxLayout;
    rankingButtons->addWidget(rankButton_);
    rankingButtons->addWidget(cancelRanking_);
    rankingButtons->addWidget(rankingNote_, 1);
    auto* rankingLayout = new QVBoxLayout(ranking);
    rankingLayout->addLayout(rankingButtons);
    rankingLayout->addWidget(rankingTable_, 1);
    tabs_->addTab(ranking, tr("Backbone ranking"));

    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(table_);
    splitter->addWidget(tabs_);
    splitter->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(chooser);
    layout->addWidget(splitter, 1);

    connect(experiment_, &QComboBox::currentIndexChanged, this, [this] {
        if (experiment_->currentIndex() >= 0) showExperiment(experiment_->currentData().toLongLong());
    });
    connect(table_->verticalHeader(), &QHeaderView::sectionResized, this, &ComparePage::fitTableToRows);
    connect(table_->horizontalScrollBar(), &QScrollBar::rangeChanged, this, &ComparePage::fitTableToRows);
    connect(trial_, &QComboBox::currentIndexChanged, this, &ComparePage::inspectTrial);
    connect(tabs_, &QTabWidget::currentChanged, this, [this, errorsScroll](int) { // opening the tab shows the first trial
        if (tabs_->currentWidget() == errorsScroll && trial_->currentIndex() < 0 && trial_->count() > 0) trial_->setCurrentIndex(0);
    });
    connect(inspection_, &JobController::inspected, this, &ComparePage::showInspections);
    connect(inspection_, &JobController::finished, this, [this](qint64, bool succeeded, const QString& message) {
        const int pending = std::exchange(pendingTrial_, -1);
        if (pending >= 0) inspectTrial(pending);
        else if (!succeeded && pending != kDiscardInspection) {
            armErrors_->showMessage(message);
            baselineErrors_->showMessage({});
        }
    });
    connect(armErrors_, &RunErrorsView::imageChosen, this, &ComparePage::explainImage);
    connect(baselineErrors_, &RunErrorsView::imageChosen, this, &ComparePage::explainImage);
    connect(explaining_, &JobController::explained, this,
            [this](const QString& sha256, const std::vector<ImageExplanation>& explanations) {
                if (!pendingExplanation_.isEmpty() || discardExplanation_) return; // stale: another image or trial since
                explanation_->showExplanations(
                    tr("Grad-CAM of each model's top class on %1: red is where its evidence lies.").arg(sha256.left(12)),
                    explanations, inspectedCaptions_);
            });
    connect(explaining_, &JobController::finished, this, [this](qint64, bool succeeded, const QString& message) {
        discardExplanation_ = false;
        const QString pending = std::exchange(pendingExplanation_, QString());
        if (!pending.isEmpty()) explainImage(pending);
        else if (!succeeded) explanation_->showMessage(message);
    });
    connect(rankButton_, &QPushButton::clicked, this, &ComparePage::rankBackbones);
    connect(cancelRanking_, &QPushButton::clicked, ranking_, &JobController::cancel);
    connect(ranking_, &JobController::progressed, this, [this](const QString& stage, qint64 done, qint64 total) {
        rankingNote_->setText(tr("%1: %2 of %3 images").arg(stage).arg(done).arg(total));
    });
    connect(ranking_, &JobController::ranked, this, &ComparePage::showRanks);
    connect(ranking_, &JobController::finished, this, [this](qint64, bool, const QString& message) {
        rankButton_->setEnabled(true);
        cancelRanking_->setEnabled(false);
        rankingNote_->setText(message);
    });
}

void ComparePage::setProject(const QString& path) {
    projectPath_ = path;
    reloadExperiments();
    if (experiment_->count() > 0) showExperiment(experiment_->itemData(experiment_->count() - 1).toLongLong());
    else {
        table_->setRowCount(0);
        note_->setText(tr("No experiments yet: run one from the Train page."));
        discardInspection();
        const QSignalBlocker blocker(trial_);
        trial_->clear();
        armErrors_->showMessage(tr("No finished trials to inspect yet."));
        baselineErrors_->showMessage({});
    }
}

void ComparePage::reloadExperiments() {
    const QSignalBlocker blocker(experiment_);
    experiment_->clear();
    try {
        Database db = openProject(projectPath_.toStdString(), ProjectAccess::ReadOnly);
        for (const auto& stored : ExperimentStore(db).experiments())
            experiment_->addItem(tr("%1: %2").arg(stored.id).arg(QString::fromStdString(stored.name)), qint64(stored.id));
    } catch (const std::exception& error) {
        note_->setText(QString::fromStdString(error.what()));
    }
}

void ComparePage::showExperiment(qint64 experimentId) {
    if (experiment_->findData(experimentId) < 0) reloadExperiments(); // one just created
    {
        const QSignalBlocker blocker(experiment_);
        experiment_->setCurrentIndex(experiment_->findData(experimentId));
    }
    ExperimentComparison comparison;
    try {
        comparison = compareExperiment(projectPath_.toStdString(), experimentId);
    } catch (const std::exception& error) {
        table_->setRowCount(0);
        note_->setText(QString::fromStdString(error.what()));
        return;
    }
    const QString metric = QString::fromUtf8(metricLabel(comparison.metric).data(), qsizetype(metricLabel(comparison.metric).size()));
    table_->horizontalHeaderItem(3)->setText(tr("Held-out %1 [95 % CI]").arg(metric));
    curves_->yAxis->setLabel(tr("held-out %1").arg(metric));
    const bool simulation = comparison.spec.simulation.has_value(); // its budgets count labels in all
    table_->horizontalHeaderItem(1)->setText(simulation ? tr("Labels") : tr("Labels per class"));
    curves_->xAxis->setLabel(simulation ? tr("labelled images") : tr("labelled images per class"));
    std::size_t taskRows = 0;
    for (const auto& task : comparison.tasks) taskRows += task.shared.size();
    table_->setRowCount(int(comparison.results.size() + taskRows));
    const auto verdictBadge = [](QTableWidgetItem* item, Verdict verdict) {
        item->setBackground(verdictColor(verdict));
        item->setForeground(Qt::white);
        QFont bold = item->font();
        bold.setBold(true);
        item->setFont(bold);
    };
    // Below the arms, each task a multi-task arm learns, against the arm that learns it alone.
    int taskRow = int(comparison.results.size());
    for (const auto& task : comparison.tasks)
        for (const auto& shared : task.shared) {
            const auto interval = [](const Summary& summary, const char* format) {
                return QString::asprintf(format, summary.mean, summary.low, summary.high);
            };
            const QStringList cells = {
                tr("%1 · task %2").arg(QString::fromStdString(shared.arm), QString::fromStdString(task.task)),
                QString::fromStdString(budgetText(shared.budget)), QString::number(shared.scores.size()),
                shared.score ? interval(*shared.score, "%.3f [%.3f, %.3f]") : QString(), QString(),
                shared.versusAlone ? interval(shared.versusAlone->delta, "%+.3f [%+.3f, %+.3f]") : QString(),
                shared.versusAlone ? QString::fromStdString(sharingVerdictText(shared.versusAlone->verdict, task.task))
                : task.alone.empty() ? tr("no arm learns %1 alone").arg(QString::fromStdString(task.task))
                                     : QString(),
                QString(),
                task.alone.empty() ? QString() : tr("against %1").arg(QString::fromStdString(task.alone))};
            for (int column = 0; column < cells.size(); ++column) {
                auto* item = new QTableWidgetItem(cells[column]);
                if (column == kVerdictColumn && shared.versusAlone) verdictBadge(item, shared.versusAlone->verdict);
                table_->setItem(taskRow, column, item);
            }
            ++taskRow;
        }
    for (int row = 0; row < int(comparison.results.size()); ++row) {
        const auto& result = comparison.results[std::size_t(row)];
        const QStringList cells = {QString::fromStdString(result.arm), QString::fromStdString(budgetText(result.budget)),
                                   QString::number(result.scores.size()),
                                   QString::fromStdString(scoreText(result)), QString::fromStdString(calibrationText(result)),
                                   QString::fromStdString(deltaText(result)),
                                   result.arm == comparison.spec.baseline ? tr("baseline")
                                                                          : QString::fromStdString(verdictCellText(comparison, result)),
                                   QString::fromStdString(mcNemarText(result)),
                                   QString::fromStdString(labelsSavedText(comparison, result))};
        for (int column = 0; column < cells.size(); ++column) {
            auto* item = new QTableWidgetItem(cells[column]);
            if (column == kVerdictColumn && result.versusBaseline) verdictBadge(item, result.versusBaseline->verdict);
            table_->setItem(row, column, item);
        }
    }

    fitTableToRows();

    // Each arm's mean per budget, with its 95 % interval as error bars: how far apart two curves
    // must be before their gap means anything.
    curves_->clearPlottables();
    std::map<std::string, std::vector<const ArmBudgetResult*>> points; // by arm, in budget order
    std::vector<std::string> arms;                                     // in the spec's order
    for (const auto& result : comparison.results) {
        if (result.budget == 0 || !result.score) continue; // "all" has no place on a labels axis
        if (!points.contains(result.arm)) arms.push_back(result.arm);
        points[result.arm].push_back(&result);
    }
    int nextColor = 0; // the baseline takes no palette colour
    for (const auto& arm : arms) {
        auto& armPoints = points[arm];
        std::ranges::sort(armPoints, {}, &ArmBudgetResult::budget);
        auto* graph = curves_->addGraph();
        graph->setName(QString::fromStdString(arm));
        const bool baseline = arm == comparison.spec.baseline;
        const QColor color = armColor(arm, comparison.spec.baseline, baseline ? 0 : nextColor++);
        graph->setPen(QPen(color, 2, baseline ? Qt::DashLine : Qt::SolidLine));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, 7));
        auto* interval = new QCPErrorBars(curves_->xAxis, curves_->yAxis);
        interval->removeFromLegend();
        interval->setPen(QPen(color, 1.5));
        interval->setDataPlottable(graph);
        for (const auto* result : armPoints) {
            const auto& score = *result->score;
            graph->addData(result->budget, score.mean);
            interval->addData(score.mean - score.low, score.high - score.mean);
        }
    }
    curves_->rescaleAxes();
    curves_->xAxis->setRange(0, curves_->xAxis->range().upper * 1.05); // the last budget's points clear the frame
    curves_->yAxis->setRange(0, 1);
    curves_->replot();
    reloadTrials(experimentId);
    QString note = arms.empty() ? tr("Label-efficiency curves need numeric label budgets (e.g. 5,10,20).")
                                : tr("Baseline: %1. Each point is the mean over seeds; its bar, the 95 % interval.")
                                      .arg(QString::fromStdString(comparison.spec.baseline));
    // Without the target's labels, which weights each arm kept is itself a choice: say it.
    for (const auto& judging : comparison.judging)
        note += "\n" + tr("%1 kept %2; judged on %3.")
                           .arg(QString::fromStdString(judging.arm), QString::fromStdString(judging.modelSelection),
                                QString::fromStdString(judging.heldOut));
    note_->setText(note);
}

std::vector<ComparePage::ShownPoint> ComparePage::labelEfficiencyPoints(const QString& arm) const {
    std::vector<ShownPoint> shown;
    for (int index = 0; index < curves_->plottableCount(); ++index) {
        const auto* interval = qobject_cast<QCPErrorBars*>(curves_->plottable(index));
        if (!interval || interval->dataPlottable()->name() != arm) continue;
        const auto* graph = static_cast<QCPGraph*>(interval->dataPlottable());
        for (int point = 0; point < graph->dataCount(); ++point) {
            const double mean = graph->data()->at(point)->value;
            const auto& bar = interval->data()->at(point);
            shown.push_back({graph->data()->at(point)->key, mean, mean - bar.errorMinus, mean + bar.errorPlus});
        }
    }
    return shown;
}

void ComparePage::fitTableToRows() {
    int height = table_->horizontalHeader()->sizeHint().height() + 2 * table_->frameWidth();
    for (int row = 0; row < std::min(table_->rowCount(), kRowsInView); ++row) height += table_->rowHeight(row);
    // The range, not the visibility: the bar is shown only after the layout that this height feeds.
    if (table_->horizontalScrollBar()->maximum() > 0) height += table_->horizontalScrollBar()->sizeHint().height();
    table_->setMinimumHeight(height);
}

// Each trial of an arm other than the baseline, paired with the baseline's trial of the same seed
// and label budget.
void ComparePage::discardInspection() {
    if (!inspection_->isRunning()) return;
    pendingTrial_ = kDiscardInspection;
    inspection_->cancel();
}

void ComparePage::reloadTrials(qint64 experimentId) {
    discardInspection(); // of a trial the list may no longer hold
    const QSignalBlocker blocker(trial_);
    trial_->clear();
    try {
        Database db = openProject(projectPath_.toStdString(), ProjectAccess::ReadOnly);
        const auto spec = ExperimentSpec::fromJson(ExperimentStore(db).experiment(experimentId).specJson);
        const auto& baseline = spec.baseline;
        RunStore runs(db);
        for (const auto& run : runs.runs()) {
            if (run.experimentId != experimentId || run.arm == baseline || run.status != RunStatus::Finished) continue;
            const auto partner = runs.trialRun(experimentId, baseline, run.seed, run.labelsPerClass);
            trial_->addItem(tr("%1, seed %2, %3")
                                .arg(QString::fromStdString(run.arm))
                                .arg(run.seed)
                                .arg(QString::fromStdString(spec.budgetText(int(run.labelsPerClass)))),
                            QVariantList{qint64(run.id), qint64(partner.value_or(0))});
        }
    } catch (const std::exception& error) {
        armErrors_->showMessage(QString::fromStdString(error.what()));
        return;
    }
    trial_->setCurrentIndex(-1);
    armErrors_->showMessage(trial_->count() > 0 ? tr("Choose a trial to see its confusion matrix and the images it got wrong.")
                                                : tr("No finished trials to inspect yet."));
    baselineErrors_->showMessage({});
}

void ComparePage::inspectTrial(int index) {
    if (index < 0 || index >= trial_->count()) return;
    if (inspection_->isRunning()) { // a newer choice replaces the one under way
        pendingTrial_ = index;
        inspection_->cancel();
        return;
    }
    const auto runs = trial_->itemData(index).toList();
    std::vector<qint64> runIds = {runs[0].toLongLong()};
    if (runs[1].toLongLong() > 0) runIds.push_back(runs[1].toLongLong());
    if (explaining_->isRunning()) { // of the previous trial's models
        discardExplanation_ = true;
        pendingExplanation_.clear();
        explaining_->cancel();
    }
    inspectedRuns_ = runIds;
    inspectedCaptions_ = {tr("%1 (run %2)").arg(trial_->itemText(index)).arg(runIds[0])};
    if (runIds.size() > 1) inspectedCaptions_ << tr("baseline, same seed and labels (run %1)").arg(runIds[1]);
    explanation_->showMessage(tr("Click a misclassified image to see where each model looked."));
    armErrors_->showMessage(tr("Evaluating %1 on the held-out images…").arg(trial_->itemText(index)));
    baselineErrors_->showMessage(runIds.size() > 1 ? tr("…and the baseline with the same seed and labels.")
                                                   : tr("The baseline has no finished trial with this seed and labels."));
    inspection_->startInspection(projectPath_.toStdString(), runIds);
}

void ComparePage::showInspections(const std::vector<RunInspection>& inspections) {
    if (pendingTrial_ != -1) return; // stale: another trial was chosen, or the list reloaded, meanwhile
    armErrors_->showInspection(inspections.front());
    if (inspections.size() > 1) baselineErrors_->showInspection(inspections[1]);
    if (armErrors_->errors()->count() > 0) armErrors_->errors()->setCurrentRow(0); // explain the surest mistake
}

void ComparePage::explainImage(const QString& sha256) {
    if (inspectedRuns_.empty() || sha256.isEmpty()) return;
    if (explaining_->isRunning()) { // the newest choice wins
        pendingExplanation_ = sha256;
        explaining_->cancel();
        return;
    }
    explanation_->showMessage(tr("Computing each model's heat map for %1…").arg(sha256.left(12)));
    explaining_->startExplanation(projectPath_.toStdString(), inspectedRuns_, sha256);
}

void ComparePage::rankBackbones() {
    if (projectPath_.isEmpty() || ranking_->isRunning()) return;
    rankButton_->setEnabled(false);
    cancelRanking_->setEnabled(true);
    rankingNote_->setText(tr("Scoring the cached backbones on the labelled training images…"));
    ranking_->startRanking(projectPath_.toStdString());
}

void ComparePage::showRanks(const std::vector<BackboneRank>& ranks) {
    rankingTable_->setRowCount(int(ranks.size()));
    for (int row = 0; row < int(ranks.size()); ++row) {
        const auto& rank = ranks[std::size_t(row)];
        const bool scored = rank.error.empty();
        const QStringList cells = {QString::fromStdString(rank.name), QString::fromStdString(rank.arch),
                                   scored ? QString::number(rank.logMe, 'f', 3) : QString("–"),
                                   scored && rank.leep ? QString::number(*rank.leep, 'f', 3) : QString("–"),
                                   QString::number(rank.images), QString::number(rank.seconds, 'f', 1),
                                   QString::fromStdString(rank.error)};
        for (int column = 0; column < cells.size(); ++column) {
            auto* item = new QTableWidgetItem(cells[column]);
            if (column >= 2 && column <= 5) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            rankingTable_->setItem(row, column, item);
        }
    }
}

} // namespace graft::ui
