#include "MetricChart.h"

#include <QVBoxLayout>

#include "QCustomPlotInclude.h"

namespace graft::ui {
namespace {

constexpr int kReplotMilliseconds = 40;

std::vector<std::pair<double, double>> pointsOf(const QCPGraph* graph) {
    std::vector<std::pair<double, double>> points;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) points.emplace_back(it->key, it->value);
    return points;
}

} // namespace

MetricChart::MetricChart(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot) {
    plot_->setObjectName("metricPlot");
    loss_ = plot_->addGraph(plot_->xAxis, plot_->yAxis);
    loss_->setName(tr("training loss"));
    loss_->setPen(QPen(QColor(59, 125, 216), 1.5));
    accuracy_ = plot_->addGraph(plot_->xAxis, plot_->yAxis2);
    accuracy_->setName(tr("validation accuracy"));
    accuracy_->setPen(QPen(QColor(220, 110, 40), 2));
    accuracy_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    plot_->xAxis->setLabel(tr("step"));
    plot_->yAxis->setLabel(tr("training loss"));
    plot_->yAxis2->setLabel(tr("validation accuracy"));
    plot_->yAxis2->setVisible(true);
    plot_->yAxis2->setRange(0, 1);
    plot_->legend->setVisible(true);
    plot_->setMinimumHeight(240);

    replotTimer_.setSingleShot(true);
    replotTimer_.setInterval(kReplotMilliseconds);
    connect(&replotTimer_, &QTimer::timeout, this, &MetricChart::replot);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);
}

void MetricChart::clear() {
    loss_->data()->clear();
    accuracy_->data()->clear();
    scheduleReplot();
}

void MetricChart::addLoss(std::int64_t step, double loss) {
    loss_->addData(double(step), loss);
    scheduleReplot();
}

void MetricChart::addValAccuracy(std::int64_t step, double accuracy) {
    accuracy_->addData(double(step), accuracy);
    scheduleReplot();
}

std::vector<std::pair<double, double>> MetricChart::lossPoints() const { return pointsOf(loss_); }

std::vector<std::pair<double, double>> MetricChart::accuracyPoints() const { return pointsOf(accuracy_); }

// A burst of points starts one timer; the points that arrive while it runs join that replot.
void MetricChart::scheduleReplot() {
    if (!replotTimer_.isActive()) replotTimer_.start();
}

void MetricChart::replot() {
    loss_->rescaleAxes();
    accuracy_->rescaleKeyAxis(true); // widen, never narrow, to take in the validation points
    const auto steps = plot_->xAxis->range();
    plot_->xAxis->setRange(0, steps.upper * 1.03 + 0.5); // the last points clear the frame
    const auto losses = plot_->yAxis->range();
    plot_->yAxis->setRange(0, losses.upper * 1.05);
    plot_->replot(QCustomPlot::rpQueuedReplot);
    ++replots_;
}

} // namespace graft::ui
