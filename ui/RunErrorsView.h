#pragma once

#include "RunInspection.h"

#include <QWidget>

class QLabel;
class QListWidget;

namespace graft::ui {

class ConfusionMatrixPlot;
class ReliabilityPlot;

// One inspected run: what it is and how it scored, its confusion matrix and reliability diagram,
// and the images it got wrong with the class it said and how sure it was, the surest mistakes
// first. Choosing one of them emits imageChosen.
class RunErrorsView : public QWidget {
    Q_OBJECT

public:
    explicit RunErrorsView(QWidget* parent = nullptr);

    void showInspection(const RunInspection& inspection);
    // Instead of a run: why there is none (or what is under way).
    void showMessage(const QString& text);
    QString heading() const;
    const ConfusionMatrixPlot* matrix() const { return matrix_; }
    const ReliabilityPlot* reliability() const { return reliability_; }
    QListWidget* errors() const { return errors_; }

Q_SIGNALS:
    void imageChosen(const QString& sha256);

private:
    QLabel* heading_;
    ConfusionMatrixPlot* matrix_;
    ReliabilityPlot* reliability_;
    QListWidget* errors_;
};

} // namespace graft::ui
