#include "ComparePage.h"

#include "ArmColors.h"
#include "QCustomPlotInclude.h"

#include "experiment/ComparisonReport.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace graft::ui {
namespace {

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
    : QWidget(parent), experiment_(new QComboBox), table_(new QTableWidget(0, 8)), curves_(new QCustomPlot),
      note_(new QLabel) {
    experiment_->setObjectName("experimentChoice");
    table_->setObjectName("comparisonTable");
    table_->setHorizontalHeaderLabels({tr("Arm"), tr("Labels per class"), tr("Seeds"), tr("Held-out accuracy [95 % CI]"),
                                       tr("Difference from baseline [95 % CI]"), tr("Verdict"), tr("McNemar"),
                                       tr("Labels saved")});
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->verticalHeader()->hide();
    curves_->setObjectName("labelEfficiency");
    curves_->xAxis->setLabel(tr("labelled images per class"));
    curves_->yAxis->setLabel(tr("held-out accuracy"));
    curves_->legend->setVisible(true);
    curves_->setMinimumHeight(220);
    note_->setWordWrap(true);

    auto* chooser = new QHBoxLayout;
    chooser->addWidget(new QLabel(tr("Experiment")));
    chooser->addWidget(experiment_, 1);
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(table_);
    splitter->addWidget(curves_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(chooser);
    layout->addWidget(splitter, 1);
    layout->addWidget(note_);

    connect(experiment_, &QComboBox::currentIndexChanged, this, [this] {
        if (experiment_->currentIndex() >= 0) showExperiment(experiment_->currentData().toLongLong());
    });
}

void ComparePage::setProject(const QString& path) {
    projectPath_ = path;
    reloadExperiments();
    if (experiment_->count() > 0) showExperiment(experiment_->itemData(experiment_->count() - 1).toLongLong());
    else {
        table_->setRowCount(0);
        note_->setText(tr("No experiments yet: run one from the Train page."));
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
    table_->setRowCount(int(comparison.results.size()));
    for (int row = 0; row < int(comparison.results.size()); ++row) {
        const auto& result = comparison.results[std::size_t(row)];
        const QStringList cells = {QString::fromStdString(result.arm), QString::fromStdString(budgetText(result.budget)),
                                   QString::number(result.accuracies.size()),
                                   QString::fromStdString(accuracyText(result)), QString::fromStdString(deltaText(result)),
                                   result.versusBaseline ? QString::fromStdString(std::string(verdictText(result.versusBaseline->verdict)))
                                                         : tr("baseline"),
                                   QString::fromStdString(mcNemarText(result)),
                                   QString::fromStdString(labelsSavedText(comparison, result))};
        for (int column = 0; column < cells.size(); ++column) {
            auto* item = new QTableWidgetItem(cells[column]);
            if (column == 5 && result.versusBaseline) { // the verdict badge
                item->setBackground(verdictColor(result.versusBaseline->verdict));
                item->setForeground(Qt::white);
                QFont bold = item->font();
                bold.setBold(true);
                item->setFont(bold);
            }
            table_->setItem(row, column, item);
        }
    }

    curves_->clearGraphs();
    std::map<std::string, QCPGraph*> graphs;
    int nextColor = 0; // the baseline takes no palette colour
    for (const auto& result : comparison.results) {
        if (result.budget == 0 || !result.accuracy) continue; // "all" has no place on a labels axis
        auto& graph = graphs[result.arm];
        if (!graph) {
            graph = curves_->addGraph();
            graph->setName(QString::fromStdString(result.arm));
            const bool baseline = result.arm == comparison.spec.baseline;
            const QColor color = armColor(result.arm, comparison.spec.baseline, baseline ? 0 : nextColor++);
            graph->setPen(QPen(color, 2, baseline ? Qt::DashLine : Qt::SolidLine));
            graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, 7));
        }
        graph->addData(result.budget, result.accuracy->mean);
    }
    curves_->rescaleAxes();
    curves_->xAxis->setRange(0, curves_->xAxis->range().upper * 1.05); // the last budget's points clear the frame
    curves_->yAxis->setRange(0, 1);
    curves_->replot();
    note_->setText(graphs.empty() ? tr("Label-efficiency curves need numeric label budgets (e.g. 5,10,20).")
                                  : tr("Baseline: %1. Each point is the mean over seeds.").arg(QString::fromStdString(comparison.spec.baseline)));
}

} // namespace graft::ui
