#pragma once

#include <QTimer>
#include <QWidget>

#include <cstdint>
#include <vector>

class QCustomPlot;
class QCPGraph;

namespace graft::ui {

// One run's curves: training loss per step (left axis) and validation accuracy per epoch (right
// axis, x at the epoch's last step). Points arrive one by one while a run trains; the plot is
// redrawn at most every 40 ms, however fast they come.
class MetricChart : public QWidget {
    Q_OBJECT

public:
    explicit MetricChart(QWidget* parent = nullptr);

    void clear();
    void addLoss(std::int64_t step, double loss);
    void addValAccuracy(std::int64_t step, double accuracy);
    // Points as plotted: (step, value).
    std::vector<std::pair<double, double>> lossPoints() const;
    std::vector<std::pair<double, double>> accuracyPoints() const;
    int replots() const { return replots_; }

private:
    void scheduleReplot();
    void replot();

    QCustomPlot* plot_;
    QCPGraph* loss_;
    QCPGraph* accuracy_;
    QTimer replotTimer_;
    int replots_ = 0;
};

} // namespace graft::ui
