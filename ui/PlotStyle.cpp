#include "PlotStyle.h"

#include "QCustomPlotInclude.h"

#include <QEvent>

namespace graft::ui {
namespace {

void applyPalette(QCustomPlot* plot) {
    const QPalette& palette = plot->palette();
    const QColor text = palette.color(QPalette::WindowText);
    QColor grid = palette.color(QPalette::Mid);
    plot->setBackground(palette.brush(QPalette::Base));
    for (auto* axis : plot->axisRect()->axes()) {
        axis->setBasePen(QPen(text));
        axis->setTickPen(QPen(text));
        axis->setSubTickPen(QPen(text));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
        axis->grid()->setPen(QPen(grid, 0, Qt::DotLine));
    }
    plot->legend->setBrush(palette.brush(QPalette::Base));
    plot->legend->setBorderPen(QPen(text));
    plot->legend->setTextColor(text);
    for (auto* element : plot->plotLayout()->elements(true)) // titles: dark on dark before
        if (auto* title = qobject_cast<QCPTextElement*>(element)) title->setTextColor(text);
    plot->replot(QCustomPlot::rpQueuedReplot);
}

class PaletteFollower : public QObject {
public:
    using QObject::QObject;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override {
        if (event->type() == QEvent::PaletteChange) applyPalette(static_cast<QCustomPlot*>(watched));
        return false;
    }
};

} // namespace

void followPalette(QCustomPlot* plot) {
    applyPalette(plot);
    plot->installEventFilter(new PaletteFollower(plot));
}

} // namespace graft::ui
