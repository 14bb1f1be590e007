#pragma once

#include "metrics/Reliability.h"

#include <QWidget>

#include <vector>

class QCustomPlot;

namespace graft::ui {

// A reliability diagram: for each confidence bin that holds images, a bar as high as their
// accuracy, against the diagonal where accuracy equals confidence; the title gives the ECE.
// Bars below the diagonal are overconfidence.
class ReliabilityPlot : public QWidget {
    Q_OBJECT

public:
    explicit ReliabilityPlot(QWidget* parent = nullptr);

    void setReliability(const Reliability& reliability);
    void clear();
    // The bars as drawn: each non-empty bin's centre and accuracy.
    std::vector<std::pair<double, double>> shownBars() const;
    QString title() const;

private:
    QCustomPlot* plot_;
};

} // namespace graft::ui
