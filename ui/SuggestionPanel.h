#pragma once

#include "SuggestedImage.h"

#include <QElapsedTimer>
#include <QGroupBox>
#include <QString>

#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace graft::ui {

class JobController;

// "Suggest next": which unlabelled images to label first, by a strategy on the chosen run's
// features and predictions (or, without a run, the first cached backbone's features), computed
// on a worker with progress, an ETA and Cancel; and the button that accepts the run's
// predictions above a confidence for the selected images.
class SuggestionPanel : public QGroupBox {
    Q_OBJECT

public:
    explicit SuggestionPanel(QWidget* parent = nullptr);

    void setProject(const QString& path);
    // The run whose features and predictions the strategies use (0: none).
    void setRun(qint64 runId);
    void setStrategy(const QString& name);
    void setCount(int count);
    void setAcceptThreshold(double probability);
    void suggest();
    JobController* job() const { return job_; }

Q_SIGNALS:
    void suggested(const std::vector<graft::ui::SuggestedImage>& images);
    void acceptRequested(double threshold);

private:
    QString projectPath_;
    qint64 runId_ = 0;
    QComboBox* strategy_;
    QSpinBox* count_;
    QPushButton* suggestButton_;
    QPushButton* cancelButton_;
    QLabel* progress_;
    QDoubleSpinBox* threshold_;
    QPushButton* acceptButton_;
    JobController* job_;
    QElapsedTimer elapsed_;
};

} // namespace graft::ui
