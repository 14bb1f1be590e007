#pragma once

#include "experiment/EpochCurves.h"

#include <QTimer>
#include <QWidget>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

class QCustomPlot;
class QCPGraph;
class QLabel;

namespace graft::ui {

// Live curves, loss on the left and accuracy on the right. Either one run (x: step): the loss of
// every step and, per epoch, the training and validation loss and accuracy; or an experiment
// (x: epoch): each arm's mean over seeds with the range across seeds as a shaded band, one
// colour per arm, the baseline dashed on top. Points may arrive one by one; the plots are
// redrawn at most every 40 ms, however fast they come.
class MetricChart : public QWidget {
    Q_OBJECT

public:
    enum class Panel { Loss, Accuracy };

    explicit MetricChart(QWidget* parent = nullptr);

    // Back to one run's (empty) curves.
    void clear();
    void addLoss(std::int64_t step, double loss);
    void addEpoch(std::int64_t step, double trainLoss, double trainAccuracy, std::optional<double> valLoss,
                  std::optional<double> valAccuracy);
    // A semi-supervised run's share of unlabelled images whose pseudo-label was kept, per epoch,
    // beside the accuracies (both are shares). The graph appears with its first point.
    void addKeptShare(std::int64_t step, double share);
    // Replaces whatever is drawn with an experiment's arms, measured on `split` ("validation", or
    // "training" for trials that hold no images out for validation).
    void showArms(const QString& title, const std::string& baseline, const std::vector<ArmEpochCurve>& losses,
                  const std::vector<ArmEpochCurve>& accuracies, const QString& split);

    // Points as plotted, (x, value), of the graph with that name: "training loss (step)",
    // "training loss", "validation loss", "training accuracy", "validation accuracy", "pseudo-labels
    // kept"; or an arm's
    // name, "<arm> low" and "<arm> high" for its band. Empty for a name not drawn.
    std::vector<std::pair<double, double>> points(Panel panel, const QString& graph) const;
    std::vector<std::pair<double, double>> lossPoints() const { return points(Panel::Loss, "training loss (step)"); }
    std::vector<std::pair<double, double>> accuracyPoints() const { return points(Panel::Accuracy, "validation accuracy"); }
    // The names in the panel's legend, top to bottom.
    QStringList legend(Panel panel) const;
    QString title() const;
    QString valueAxisLabel(Panel panel) const;
    int replots() const { return replots_; }

private:
    QCustomPlot* plotOf(Panel panel) const { return panel == Panel::Loss ? lossPlot_ : accuracyPlot_; }
    QCPGraph* addGraph(Panel panel, const QString& name, const QPen& pen, bool withPoints);
    void drawArms(Panel panel, const std::string& baseline, const std::vector<ArmEpochCurve>& curves);
    void scheduleReplot();
    void replot();

    QLabel* title_;
    QCustomPlot* lossPlot_;
    QCustomPlot* accuracyPlot_;
    QCPGraph* stepLoss_ = nullptr;
    QCPGraph* trainLoss_ = nullptr;
    QCPGraph* valLoss_ = nullptr;
    QCPGraph* trainAccuracy_ = nullptr;
    QCPGraph* valAccuracy_ = nullptr;
    QCPGraph* keptShare_ = nullptr;
    QTimer replotTimer_;
    int replots_ = 0;
};

} // namespace graft::ui
