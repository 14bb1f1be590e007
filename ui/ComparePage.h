#pragma once

#include "RunInspection.h"

#include "experiment/BackboneRank.h"

#include <QString>
#include <QWidget>

#include <vector>

class QComboBox;
class QCustomPlot;
class QLabel;
class QPushButton;
class QTableWidget;
class QTabWidget;

namespace graft::ui {

class ExplanationView;
class JobController;
class RunErrorsView;

// Compare: an experiment's arms at each label budget, held-out accuracy with its 95 % interval,
// the paired difference from the baseline and its verdict as a coloured badge, McNemar's second
// opinion, the labels the baseline needs to match. Below, in tabs: the label-efficiency curves,
// each mean with its interval as a bar; a trial's confusion matrix, reliability diagram and
// misclassified images beside those of the baseline with the same seed and labels, and for a
// chosen image both models' Grad-CAM heat maps; and the ranking of the cached pretrained
// backbones on this project.
class ComparePage : public QWidget {
    Q_OBJECT

public:
    explicit ComparePage(QWidget* parent = nullptr);

    // Lists the project's experiments and shows the latest.
    void setProject(const QString& path);
    void showExperiment(qint64 experimentId);
    // Evaluates the trial in the chooser's row `index` and its baseline partner, in the background.
    void inspectTrial(int index);
    // Both models of the inspected trial on one image: heat maps and top 3, in the background.
    void explainImage(const QString& sha256);
    // Scores the backbones in the weights cache, in the background.
    void rankBackbones();

    // An arm's points on the label-efficiency chart, by budget: the mean and the ends of its bar.
    struct ShownPoint {
        double labelsPerClass, mean, low, high;
    };
    std::vector<ShownPoint> labelEfficiencyPoints(const QString& arm) const;

    const RunErrorsView* armErrors() const { return armErrors_; }
    const RunErrorsView* baselineErrors() const { return baselineErrors_; }
    const ExplanationView* explanation() const { return explanation_; }
    JobController* explanationJob() const { return explaining_; }
    JobController* inspectionJob() const { return inspection_; }
    JobController* rankingJob() const { return ranking_; }

private:
    void reloadExperiments(); // the list only
    void reloadTrials(qint64 experimentId);
    // Cancels an inspection under way and drops what it would show.
    void discardInspection();
    void showInspections(const std::vector<RunInspection>& inspections);
    void showRanks(const std::vector<BackboneRank>& ranks);
    // Keeps the table tall enough for its rows, up to kRowsInView, whatever their wrapped height.
    void fitTableToRows();
    static constexpr int kRowsInView = 8;

    QString projectPath_;
    QComboBox* experiment_;
    QTableWidget* table_;
    QTabWidget* tabs_;
    QCustomPlot* curves_;
    QLabel* note_;
    QComboBox* trial_;
    RunErrorsView* armErrors_;
    RunErrorsView* baselineErrors_;
    ExplanationView* explanation_;
    JobController* explaining_;
    QString pendingExplanation_; // an image chosen while another was being explained
    bool discardExplanation_ = false; // the explanation under way is of a trial no longer shown
    std::vector<qint64> inspectedRuns_; // the arm's run, then the baseline's when there is one
    QStringList inspectedCaptions_;
    JobController* inspection_;
    // A trial asked for while another inspection was still running, or kDiscardInspection when
    // the list was reloaded under it; -1 when neither.
    static constexpr int kDiscardInspection = -2;
    int pendingTrial_ = -1;
    QPushButton* rankButton_;
    QPushButton* cancelRanking_;
    QLabel* rankingNote_;
    QTableWidget* rankingTable_;
    JobController* ranking_;
};

} // namespace graft::ui
