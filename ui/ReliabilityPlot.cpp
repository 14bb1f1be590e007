#include "ReliabilityPlot.h"

#include "PlotStyle.h"
#include "QCustomPlotInclude.h"

#include <QVBoxLayout>

namespace graft::ui {

ReliabilityPlot::ReliabilityPlot(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot) {
    plot_->setObjectName("reliabilityDiagram");
    plot_->setMinimumSize(200, 200);
    plot_->plotLayout()->insertRow(0);
    plot_->plotLayout()->addElement(0, 0, new QCPTextElement(plot_, QString()));
    plot_->xAxis->setLabel(tr("confidence"));
    plot_->yAxis->setLabel(tr("accuracy"));
    plot_->xAxis->setRange(0, 1);
    plot_->yAxis->setRange(0, 1);
    plot_->setToolTip(tr("Reliability diagram of the held-out images: bars under the diagonal mean the model is surer "
                         "than it is right; ECE is the gap, weighted by the images in each bin"));
    followPalette(plot_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);
}

void ReliabilityPlot::setReliability(const Reliability& reliability) {
    plot_->clearPlottables();
    auto* diagonal = plot_->addGraph();
    diagonal->setData({0, 1}, {0, 1});
    diagonal->setPen(QPen(palette().color(QPalette::Text), 1, Qt::DashLine));
    auto* bars = new QCPBars(plot_->xAxis, plot_->yAxis);
    bars->setBrush(QColor(8, 69, 148, 170));
    bars->setPen(QPen(QColor(8, 69, 148)));
    for (const auto& bin : reliability.bins) {
        if (bin.count == 0) continue;
        bars->setWidth(bin.upper - bin.lower);
        bars->addData((bin.lower + bin.upper) / 2, bin.accuracy);
    }
    static_cast<QCPTextElement*>(plot_->plotLayout()->element(0, 0))
        ->setText(tr("ECE %1").arg(reliability.ece, 0, 'f', 3));
    plot_->replot();
}

void ReliabilityPlot::clear() {
    plot_->clearPlottables();
    static_cast<QCPTextElement*>(plot_->plotLayout()->element(0, 0))->setText(QString());
    plot_->replot();
}

std::vector<std::pair<double, double>> ReliabilityPlot::shownBars() const {
    std::vector<std::pair<double, double>> shown;
    for (int i = 0; i < plot_->plottableCount(); ++i)
        if (const auto* bars = qobject_cast<QCPBars*>(plot_->plottable(i)))
            for (auto point = bars->data()->constBegin(); point != bars->data()->constEnd(); ++point)
                shown.emplace_back(point->key, point->value);
    return shown;
}

QString ReliabilityPlot::title() const {
    return static_cast<QCPTextElement*>(plot_->plotLayout()->element(0, 0))->text();
}

} // namespace graft::ui
