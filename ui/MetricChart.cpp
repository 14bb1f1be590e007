#include "MetricChart.h"

#include "ArmColors.h"
#include "PlotStyle.h"
#include "QCustomPlotInclude.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace graft::ui {
namespace {

constexpr int kReplotMilliseconds = 40;
const QColor kTrainColor(59, 125, 216);
const QColor kValidationColor(220, 110, 40);
const QColor kPseudoLabelColor(130, 90, 180);

QCustomPlot* makePlot(const QString& objectName, const QString& valueLabel) {
    auto* plot = new QCustomPlot;
    plot->setObjectName(objectName);
    plot->yAxis->setLabel(valueLabel);
    plot->legend->setVisible(true);
    plot->setMinimumHeight(220);
    followPalette(plot);
    return plot;
}

} // namespace

MetricChart::MetricChart(QWidget* parent)
    : QWidget(parent), title_(new QLabel), lossPlot_(makePlot("lossPlot", tr("loss"))),
      accuracyPlot_(makePlot("accuracyPlot", tr("accuracy"))) {
    // Accuracy climbs towards the top right, loss falls towards the bottom right: keep legends clear of both.
    accuracyPlot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    replotTimer_.setSingleShot(true);
    replotTimer_.setInterval(kReplotMilliseconds);
    connect(&replotTimer_, &QTimer::timeout, this, &MetricChart::replot);

    auto* plots = new QHBoxLayout;
    plots->addWidget(lossPlot_);
    plots->addWidget(accuracyPlot_);
    title_->setWordWrap(true); // a long title wraps rather than widening the window
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(title_);
    layout->addLayout(plots, 1);
    clear();
}

QCPGraph* MetricChart::addGraph(Panel panel, const QString& name, const QPen& pen, bool withPoints) {
    auto* graph = plotOf(panel)->addGraph();
    graph->setName(name);
    graph->setPen(pen);
    if (withPoints) graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    return graph;
}

void MetricChart::clear() {
    lossPlot_->clearGraphs();
    accuracyPlot_->clearGraphs();
    title_->setText(tr("Training and validation, by step"));
    for (auto* plot : {lossPlot_, accuracyPlot_}) {
        plot->xAxis->setLabel(tr("step"));
        plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    stepLoss_ = addGraph(Panel::Loss, "training loss (step)", QPen(kTrainColor.lighter(150), 1), false);
    trainLoss_ = addGraph(Panel::Loss, "training loss", QPen(kTrainColor, 2), true);
    valLoss_ = addGraph(Panel::Loss, "validation loss", QPen(kValidationColor, 2), true);
    trainAccuracy_ = addGraph(Panel::Accuracy, "training accuracy", QPen(kTrainColor, 2), true);
    valAccuracy_ = addGraph(Panel::Accuracy, "validation accuracy", QPen(kValidationColor, 2), true);
    keptShare_ = nullptr;
    scheduleReplot();
}

void MetricChart::addLoss(std::int64_t step, double loss) {
    if (stepLoss_) stepLoss_->addData(double(step), loss);
    scheduleReplot();
}

void MetricChart::addEpoch(std::int64_t step, double trainLoss, double trainAccuracy, std::optional<double> valLoss,
                           std::optional<double> valAccuracy) {
    if (!trainLoss_) return; // an experiment is drawn
    trainLoss_->addData(double(step), trainLoss);
    trainAccuracy_->addData(double(step), trainAccuracy);
    if (valLoss) valLoss_->addData(double(step), *valLoss);
    if (valAccuracy) valAccuracy_->addData(double(step), *valAccuracy);
    scheduleReplot();
}

void MetricChart::addKeptShare(std::int64_t step, double share) {
    if (!trainLoss_) return; // an experiment is drawn
    if (!keptShare_) keptShare_ = addGraph(Panel::Accuracy, "pseudo-labels kept", QPen(kPseudoLabelColor, 1.5, Qt::DashLine), true);
    keptShare_->addData(double(step), share);
    scheduleReplot();
}

void MetricChart::showArms(const QString& title, const std::string& baseline, const std::vector<ArmEpochCurve>& losses,
                           const std::vector<ArmEpochCurve>& accuracies, const QString& split) {
    lossPlot_->clearGraphs();
    accuracyPlot_->clearGraphs();
    stepLoss_ = trainLoss_ = valLoss_ = trainAccuracy_ = valAccuracy_ = keptShare_ = nullptr;
    title_->setText(title);
    for (auto* plot : {lossPlot_, accuracyPlot_}) {
        plot->xAxis->setLabel(tr("epoch"));
        QSharedPointer<QCPAxisTickerFixed> wholeEpochs(new QCPAxisTickerFixed);
        wholeEpochs->setTickStep(1);
        wholeEpochs->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
        plot->xAxis->setTicker(wholeEpochs);
    }
    lossPlot_->yAxis->setLabel(tr("%1 loss").arg(split));
    accuracyPlot_->yAxis->setLabel(tr("%1 accuracy").arg(split));
    drawArms(Panel::Loss, baseline, losses);
    drawArms(Panel::Accuracy, baseline, accuracies);
    scheduleReplot();
}

// Bands first and the baseline last, so every mean line stays visible and the baseline lies over
// the arms it is compared with.
void MetricChart::drawArms(Panel panel, const std::string& baseline, const std::vector<ArmEpochCurve>& curves) {
    std::vector<const ArmEpochCurve*> ordered;
    for (const auto& curve : curves)
        if (curve.arm != baseline) ordered.push_back(&curve);
    for (const auto& curve : curves)
        if (curve.arm == baseline) ordered.push_back(&curve);
    std::vector<QColor> colors;
    int index = 0;
    for (const auto* curve : ordered) colors.push_back(armColor(curve->arm, baseline, curve->arm == baseline ? 0 : index++));
    for (std::size_t i = 0; i < ordered.size(); ++i) {
        const QString arm = QString::fromStdString(ordered[i]->arm);
        auto* low = addGraph(panel, arm + " low", Qt::NoPen, false);
        auto* high = addGraph(panel, arm + " high", Qt::NoPen, false);
        QColor fill = colors[i];
        fill.setAlpha(55);
        high->setBrush(fill);
        high->setChannelFillGraph(low);
        for (const auto& point : ordered[i]->points) {
            low->addData(double(point.epoch), point.low);
            high->addData(double(point.epoch), point.high);
        }
        low->removeFromLegend();
        high->removeFromLegend();
    }
    for (std::size_t i = 0; i < ordered.size(); ++i) {
        QPen pen(colors[i], 2.5);
        if (ordered[i]->arm == baseline) pen.setStyle(Qt::DashLine);
        auto* mean = addGraph(panel, QString::fromStdString(ordered[i]->arm), pen, true);
        for (const auto& point : ordered[i]->points) mean->addData(double(point.epoch), point.mean);
    }
}

std::vector<std::pair<double, double>> MetricChart::points(Panel panel, const QString& graph) const {
    std::vector<std::pair<double, double>> points;
    const auto* plot = plotOf(panel);
    for (int i = 0; i < plot->graphCount(); ++i) {
        const auto* candidate = plot->graph(i);
        if (candidate->name() != graph) continue;
        for (auto it = candidate->data()->constBegin(); it != candidate->data()->constEnd(); ++it)
            points.emplace_back(it->key, it->value);
    }
    return points;
}

QStringList MetricChart::legend(Panel panel) const {
    QStringList names;
    const auto* plot = plotOf(panel);
    for (int i = 0; i < plot->legend->itemCount(); ++i)
        if (auto* item = qobject_cast<QCPPlottableLegendItem*>(plot->legend->item(i))) names << item->plottable()->name();
    return names;
}

QString MetricChart::title() const { return title_->text(); }

QString MetricChart::valueAxisLabel(Panel panel) const { return plotOf(panel)->yAxis->label(); }

// A burst of points starts one timer; the points that arrive while it runs join that replot.
void MetricChart::scheduleReplot() {
    if (!replotTimer_.isActive()) replotTimer_.start();
}

void MetricChart::replot() {
    for (auto* plot : {lossPlot_, accuracyPlot_}) {
        plot->rescaleAxes();
        const auto keys = plot->xAxis->range();
        plot->xAxis->setRange(0, keys.upper * 1.03 + 0.5); // the last points clear the frame
    }
    lossPlot_->yAxis->setRange(0, lossPlot_->yAxis->range().upper * 1.05);
    accuracyPlot_->yAxis->setRange(0, 1.02);
    lossPlot_->replot(QCustomPlot::rpQueuedReplot);
    accuracyPlot_->replot(QCustomPlot::rpQueuedReplot);
    ++replots_;
}

} // namespace graft::ui
