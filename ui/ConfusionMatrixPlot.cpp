#include "ConfusionMatrixPlot.h"

#include "PlotStyle.h"
#include "QCustomPlotInclude.h"

#include <QVBoxLayout>

namespace graft::ui {

ConfusionMatrixPlot::ConfusionMatrixPlot(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot) {
    plot_->setObjectName("confusionMatrix");
    plot_->setMinimumSize(220, 220);
    plot_->xAxis->setLabel(tr("predicted"));
    plot_->yAxis->setLabel(tr("actual"));
    plot_->yAxis->setRangeReversed(true); // the first class at the top, as in a table
    plot_->xAxis->grid()->setVisible(false);
    plot_->yAxis->grid()->setVisible(false);
    followPalette(plot_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);
}

void ConfusionMatrixPlot::setMatrix(const std::vector<std::string>& classes, const std::vector<std::vector<std::int64_t>>& counts) {
    plot_->clearPlottables();
    plot_->clearItems();
    classCount_ = classes.size();
    const int n = int(classes.size());
    if (n == 0) {
        plot_->replot();
        return;
    }
    auto* map = new QCPColorMap(plot_->xAxis, plot_->yAxis);
    map->data()->setSize(n, n);
    map->data()->setRange(QCPRange(0, n - 1), QCPRange(0, n - 1));
    QCPColorGradient gradient(QCPColorGradient::gpGrayscale);
    gradient.setColorStopAt(0, QColor(247, 251, 255));
    gradient.setColorStopAt(1, QColor(8, 69, 148));
    map->setGradient(gradient);
    map->setDataRange(QCPRange(0, 1));
    map->setInterpolate(false);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int actual = 0; actual < n; ++actual) {
        ticker->addTick(actual, QString::fromStdString(classes[std::size_t(actual)]));
        std::int64_t rowTotal = 0;
        for (int predicted = 0; predicted < n; ++predicted) rowTotal += counts[std::size_t(actual)][std::size_t(predicted)];
        for (int predicted = 0; predicted < n; ++predicted) {
            const auto count = counts[std::size_t(actual)][std::size_t(predicted)];
            const double share = rowTotal > 0 ? double(count) / double(rowTotal) : 0.0;
            map->data()->setCell(predicted, actual, share);
            auto* label = new QCPItemText(plot_);
            label->position->setCoords(predicted, actual);
            label->setText(QString::number(count));
            label->setColor(share > 0.5 ? Qt::white : Qt::black);
        }
    }
    plot_->xAxis->setTicker(ticker);
    plot_->yAxis->setTicker(ticker);
    plot_->xAxis->setTickLabelRotation(n > 4 ? 45 : 0);
    plot_->xAxis->setRange(-0.5, n - 0.5);
    plot_->yAxis->setRange(-0.5, n - 0.5);
    plot_->replot();
}

std::vector<std::vector<std::int64_t>> ConfusionMatrixPlot::shownCounts() const {
    std::vector<std::vector<std::int64_t>> counts(classCount_, std::vector<std::int64_t>(classCount_, 0));
    for (int i = 0; i < plot_->itemCount(); ++i) {
        const auto* label = qobject_cast<QCPItemText*>(plot_->item(i));
        if (!label) continue;
        const auto where = label->position->coords();
        counts[std::size_t(where.y())][std::size_t(where.x())] = label->text().toLongLong();
    }
    return counts;
}

} // namespace graft::ui
