#pragma once

#include <QWidget>

#include <cstdint>
#include <string>
#include <vector>

class QCustomPlot;

namespace graft::ui {

// A confusion matrix as a heat map: actual classes down, predicted across, each cell coloured by
// the share of its row (so a rare class's mistakes show as strongly as a common one's) and
// labelled with its count.
class ConfusionMatrixPlot : public QWidget {
    Q_OBJECT

public:
    explicit ConfusionMatrixPlot(QWidget* parent = nullptr);

    void setMatrix(const std::vector<std::string>& classes, const std::vector<std::vector<std::int64_t>>& counts);
    // The counts as labelled on the cells, [actual][predicted].
    std::vector<std::vector<std::int64_t>> shownCounts() const;

private:
    QCustomPlot* plot_;
    std::size_t classCount_ = 0;
};

} // namespace graft::ui
