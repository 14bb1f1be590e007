#include "LayerDiagram.h"

#include <QContextMenuEvent>
#include <QKeyEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollArea>

#include <algorithm>

namespace graft::ui {
namespace {

constexpr int kRowHeight = 46;
constexpr int kGap = 6;
constexpr int kMargin = 8;
constexpr int kStripWidth = 170;

QString shapeText(const std::vector<std::int64_t>& shape) {
    QStringList parts;
    for (const auto size : shape) parts << QString::number(size);
    return parts.join(QChar(0x00D7));
}

// A closed padlock, `box` wide and high.
void drawPadlock(QPainter& painter, const QRectF& box, const QColor& color) {
    painter.save();
    painter.setPen(QPen(color, box.width() / 7));
    painter.setBrush(Qt::NoBrush);
    const QRectF shackle(box.left() + box.width() * 0.25, box.top(), box.width() * 0.5, box.height() * 0.6);
    painter.drawArc(shackle, 0, 180 * 16);
    painter.drawLine(QPointF(shackle.left(), shackle.center().y()), QPointF(shackle.left(), box.top() + box.height() * 0.5));
    painter.drawLine(QPointF(shackle.right(), shackle.center().y()), QPointF(shackle.right(), box.top() + box.height() * 0.5));
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawRoundedRect(QRectF(box.left(), box.top() + box.height() * 0.45, box.width(), box.height() * 0.55), 2, 2);
    painter.restore();
}

} // namespace

LayerDiagram::LayerDiagram(QWidget* parent) : QWidget(parent) {
    setMouseTracking(false);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setFocusPolicy(Qt::StrongFocus);
    setAccessibleName(tr("Blocks: Space freezes or unfreezes the current one"));
}

void LayerDiagram::setGraph(LayerGraph graph) {
    graph_ = std::move(graph);
    current_ = -1;
    frozen_.clear();
    multipliers_.clear();
    updateGeometry();
    update();
    Q_EMIT frozenChanged();
}

void LayerDiagram::setFrozen(std::set<std::string> names) {
    frozen_ = std::move(names);
    update();
    Q_EMIT frozenChanged();
}

void LayerDiagram::setDomainShifts(std::map<std::string, double> shifts) {
    shifts_ = std::move(shifts);
    update();
}

QRect LayerDiagram::blockRect(int index) const {
    const int strip = shifts_.empty() ? 0 : kStripWidth + kGap;
    return {kMargin, kMargin + index * (kRowHeight + kGap), std::max(200, width() - 2 * kMargin - strip), kRowHeight};
}

QRect LayerDiagram::shiftStripRect(int index) const {
    if (shifts_.empty()) return {};
    const QRect box = blockRect(index);
    return {box.right() + 1 + kGap, box.top(), kStripWidth, box.height()};
}

QSize LayerDiagram::sizeHint() const {
    return {420, 2 * kMargin + int(graph_.blocks.size()) * (kRowHeight + kGap)};
}

int LayerDiagram::blockAt(QPoint point) const {
    for (int index = 0; index < int(graph_.blocks.size()); ++index)
        if (blockRect(index).contains(point) && graph_.blocks[std::size_t(index)].parameters > 0) return index;
    return -1;
}

int LayerDiagram::nextBlock(int from, int step) const {
    for (int index = from + step; index >= 0 && index < int(graph_.blocks.size()); index += step)
        if (graph_.blocks[std::size_t(index)].parameters > 0) return index;
    return from;
}

void LayerDiagram::setBlockFrozen(int index, bool frozen) {
    const auto& name = graph_.blocks[std::size_t(index)].name;
    if (frozen == frozen_.contains(name)) return;
    if (frozen) frozen_.insert(name);
    else frozen_.erase(name);
    update(blockRect(index));
    Q_EMIT frozenChanged();
}

void LayerDiagram::setLearningRateMultiplier(const std::string& block, double multiplier) {
    if (multiplier == 1) multipliers_.erase(block);
    else multipliers_[block] = multiplier;
    update();
    Q_EMIT multipliersChanged();
}

void LayerDiagram::contextMenuEvent(QContextMenuEvent* event) {
    const int index = event->reason() == QContextMenuEvent::Keyboard ? current_ : blockAt(event->pos());
    if (index >= 0) Q_EMIT multiplierRequested(index);
}

void LayerDiagram::focusInEvent(QFocusEvent* event) {
    if (current_ < 0) current_ = nextBlock(-1, 1); // the first block with parameters, if any
    QWidget::focusInEvent(event);
}

void LayerDiagram::keyPressEvent(QKeyEvent* event) {
    const int step = event->key() == Qt::Key_Down ? 1 : event->key() == Qt::Key_Up ? -1 : 0;
    if (step != 0) {
        current_ = nextBlock(current_, step);
        update();
        // The Model page scrolls the diagram: keep the current block in view.
        if (auto* area = qobject_cast<QScrollArea*>(parentWidget() ? parentWidget()->parentWidget() : nullptr);
            area && current_ >= 0) {
            const QRect box = blockRect(current_);
            area->ensureVisible(box.center().x(), box.center().y(), 0, box.height() / 2 + kGap);
        }
        return;
    }
    if (event->key() == Qt::Key_Space && current_ >= 0) {
        setBlockFrozen(current_, !frozen_.contains(graph_.blocks[std::size_t(current_)].name));
        return;
    }
    QWidget::keyPressEvent(event);
}

void LayerDiagram::mousePressEvent(QMouseEvent* event) {
    const int index = blockAt(event->position().toPoint());
    if (event->button() != Qt::LeftButton || index < 0) return QWidget::mousePressEvent(event);
    dragFreezes_ = !frozen_.contains(graph_.blocks[std::size_t(index)].name);
    setBlockFrozen(index, *dragFreezes_);
}

void LayerDiagram::mouseMoveEvent(QMouseEvent* event) {
    if (!dragFreezes_) return QWidget::mouseMoveEvent(event);
    if (const int index = blockAt(event->position().toPoint()); index >= 0) setBlockFrozen(index, *dragFreezes_);
}

void LayerDiagram::mouseReleaseEvent(QMouseEvent* event) {
    dragFreezes_.reset();
    QWidget::mouseReleaseEvent(event);
}

void LayerDiagram::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QLocale locale;
    const QColor trainable(59, 125, 216), frozen(138, 143, 152);
    const QColor parameterFree = palette().color(QPalette::Button); // nothing to freeze: blends with the window
    double largestShift = 0;
    for (const auto& [name, shift] : shifts_) largestShift = std::max(largestShift, shift);
    for (int index = 0; index < int(graph_.blocks.size()); ++index) {
        const auto& block = graph_.blocks[std::size_t(index)];
        const QRect box = blockRect(index);
        if (const auto shift = shifts_.find(block.name); shift != shifts_.end()) {
            // The domain gap beside the block: how far the images move its BatchNorm statistics.
            const QRect strip = shiftStripRect(index);
            painter.setPen(Qt::NoPen);
            painter.setBrush(palette().color(QPalette::AlternateBase));
            painter.drawRoundedRect(strip, 4, 4);
            const double share = largestShift > 0 ? shift->second / largestShift : 0;
            painter.setBrush(QColor(230, 126, 34));
            painter.drawRoundedRect(QRectF(strip.left(), strip.top() + 6, std::max(2.0, share * strip.width()), 14), 3, 3);
            painter.setPen(palette().color(QPalette::WindowText));
            painter.drawText(strip.adjusted(4, 0, -4, -4), Qt::AlignLeft | Qt::AlignBottom,
                             tr("shift %1").arg(shift->second, 0, 'g', 3));
        }
        const bool isFrozen = frozen_.contains(block.name);
        const QColor fill = block.parameters == 0 ? parameterFree : isFrozen ? frozen : trainable;
        painter.setPen(Qt::NoPen);
        painter.setBrush(fill);
        painter.drawRoundedRect(box, 6, 6);

        const QColor text = block.parameters == 0 ? palette().color(QPalette::ButtonText) : QColor(Qt::white);
        painter.setPen(text);
        QFont bold = font();
        bold.setBold(true);
        painter.setFont(bold);
        const QRect inner = box.adjusted(36, 4, -8, -4);
        painter.drawText(inner, Qt::AlignLeft | Qt::AlignTop,
                         QString::fromStdString(block.name) + "   " + QString::fromStdString(block.type));
        painter.setFont(font());
        const QString figures = tr("%1 parameters · out %2 · %3 MFLOPs")
                                    .arg(locale.toString(qlonglong(block.parameters)))
                                    .arg(shapeText(block.outputShape))
                                    .arg(double(block.flops) / 1e6, 0, 'f', 1);
        painter.drawText(inner, Qt::AlignLeft | Qt::AlignBottom, figures);
        if (const auto multiplier = multipliers_.find(block.name); multiplier != multipliers_.end() && !isFrozen) {
            painter.setFont(bold);
            painter.drawText(inner, Qt::AlignRight | Qt::AlignVCenter, tr("lr × %1").arg(multiplier->second));
            painter.setFont(font());
        }
        if (index == current_ && hasFocus()) { // where Space acts
            painter.setPen(QPen(palette().color(QPalette::Highlight), 3));
            painter.setBrush(Qt::NoBrush);
            painter.drawRoundedRect(QRectF(box).adjusted(1.5, 1.5, -1.5, -1.5), 6, 6);
        }
        if (isFrozen) drawPadlock(painter, QRectF(box.left() + 10, box.center().y() - 9, 16, 18), Qt::white);
        else if (block.parameters > 0) {
            painter.setPen(QPen(Qt::white, 2));
            painter.setBrush(Qt::NoBrush);
            painter.drawEllipse(QRectF(box.left() + 11, box.center().y() - 7, 14, 14)); // open: trains
        }
    }
}

} // namespace graft::ui
