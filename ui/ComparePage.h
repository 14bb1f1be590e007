#pragma once

#include <QString>
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QLabel;
class QTableWidget;

namespace graft::ui {

// Compare: an experiment's arms at each label budget, held-out accuracy with its 95 % interval,
// the paired difference from the baseline and its verdict as a coloured badge, McNemar's second
// opinion, the labels the baseline needs to match; and the label-efficiency curves.
class ComparePage : public QWidget {
    Q_OBJECT

public:
    explicit ComparePage(QWidget* parent = nullptr);

    // Lists the project's experiments and shows the latest.
    void setProject(const QString& path);
    void showExperiment(qint64 experimentId);

private:
    void reloadExperiments(); // the list only

    QString projectPath_;
    QComboBox* experiment_;
    QTableWidget* table_;
    QCustomPlot* curves_;
    QLabel* note_;
};

} // namespace graft::ui
