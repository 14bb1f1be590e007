#pragma once

#include <QElapsedTimer>
#include <QString>
#include <QWidget>

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace graft::ui {

class MetricChart;
class ModelPage;
class TrainingJob;

// Train: the run's settings (backbone and freeze plan come from the Model page), start and cancel,
// a progress bar with ETA, the live chart, and the project's runs; selecting a run draws its
// recorded curves from the project file.
class TrainPage : public QWidget {
    Q_OBJECT

public:
    explicit TrainPage(const ModelPage* model, QWidget* parent = nullptr);

    void setProject(const QString& path);
    void start();
    void cancel();
    // Draws the run's recorded curves.
    void showRun(qint64 runId);
    int runCount() const;
    MetricChart* chart() const { return chart_; }
    TrainingJob* job() const { return job_; }

Q_SIGNALS:
    // For the status bar: what is happening, with the ETA while a run trains.
    void status(const QString& text);
    void runsChanged();

private:
    void reloadRuns();
    void onStep(qint64 step, int epoch, qint64 stepsPerEpoch, double loss);
    void onFinished(qint64 runId, bool succeeded, const QString& message);

    const ModelPage* model_;
    QString projectPath_;
    TrainingJob* job_;
    MetricChart* chart_;
    QSpinBox* epochs_;
    QSpinBox* batchSize_;
    QDoubleSpinBox* learningRate_;
    QSpinBox* seed_;
    QSpinBox* labelsPerClass_;
    QLineEdit* init_;
    QPushButton* startButton_;
    QPushButton* cancelButton_;
    QProgressBar* progress_;
    QLabel* progressText_;
    QTableWidget* runTable_;
    QElapsedTimer elapsed_;
};

} // namespace graft::ui
