#pragma once

#include "models/LayerGraph.h"

#include <QWidget>

#include <map>
#include <optional>
#include <set>
#include <string>

namespace graft::ui {

// A network's blocks drawn as a column, input at the top: name, type, parameters, output shape
// and FLOPs. Clicking a block with parameters freezes or unfreezes it; dragging across blocks
// gives them all the state the first one took. Frozen blocks are grey with a padlock. A right
// click asks for a block's learning-rate multiplier. By keyboard: Up and Down move between the
// blocks with parameters, Space freezes or unfreezes the current one, the Menu key asks for its
// multiplier.
class LayerDiagram : public QWidget {
    Q_OBJECT

public:
    explicit LayerDiagram(QWidget* parent = nullptr);

    void setGraph(LayerGraph graph); // unfreezes everything, every multiplier back to 1
    const LayerGraph& graph() const { return graph_; }
    void setFrozen(std::set<std::string> names);
    const std::set<std::string>& frozen() const { return frozen_; }
    // A block's learning rate as a multiple of the run's; 1 removes it. Shown on the block.
    void setLearningRateMultiplier(const std::string& block, double multiplier);
    const std::map<std::string, double>& learningRateMultipliers() const { return multipliers_; }
    // Each block's domain shift (graft-cli gap's BatchNorm shift), drawn as a strip beside it,
    // longest for the largest; blocks without BatchNorm get none. Empty: no strips.
    void setDomainShifts(std::map<std::string, double> shifts);
    const std::map<std::string, double>& domainShifts() const { return shifts_; }
    QRect blockRect(int index) const;
    QRect shiftStripRect(int index) const; // empty without shifts
    // The block the keyboard acts on: the first with parameters once it has had focus; -1 before.
    int currentBlock() const { return current_; }
    QSize sizeHint() const override;

Q_SIGNALS:
    void frozenChanged();
    void multipliersChanged();
    // A right click on a block with parameters: the page asks for its multiplier.
    void multiplierRequested(int index);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void focusInEvent(QFocusEvent* event) override;

private:
    int blockAt(QPoint point) const; // -1 outside a block with parameters
    // The next block with parameters from `from` in `step`'s direction; `from` when there is none.
    int nextBlock(int from, int step) const;
    void setBlockFrozen(int index, bool frozen);

    LayerGraph graph_;
    std::set<std::string> frozen_;
    std::map<std::string, double> shifts_;
    std::map<std::string, double> multipliers_;
    std::optional<bool> dragFreezes_; // while the mouse is down: what the drag does to blocks
    int current_ = -1;
};

} // namespace graft::ui
