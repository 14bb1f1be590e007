#pragma once

#include "RunInspection.h"

#include <QWidget>

class QLabel;
class QListWidget;

namespace graft::ui {

class ConfusionMatrixPlot;

// One inspected run: what it is and how it scored, its confusion matrix, and the images it got
// wrong with the class it said and how sure it was, the surest mistakes first.
class RunErrorsView : public QWidget {
    Q_OBJECT

public:
    explicit RunErrorsView(QWidget* parent = nullptr);

    void showInspection(const RunInspection& inspection);
    // Instead of a run: why there is none (or what is under way).
    void showMessage(const QString& text);
    QString heading() const;
    const ConfusionMatrixPlot* matrix() const { return matrix_; }
    const QListWidget* errors() const { return errors_; }

private:
    QLabel* heading_;
    ConfusionMatrixPlot* matrix_;
    QListWidget* errors_;
};

} // namespace graft::ui
