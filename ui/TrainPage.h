#pragma once

#include "train/TrainConfig.h"

#include <QElapsedTimer>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace graft {
struct ExperimentSpec;
}

namespace graft::ui {

class MetricChart;
class ModelPage;
class JobController;

// Train: the run's settings (backbone and freeze plan come from the Model page), start, pause, resume,
// a progress bar with ETA, the live chart, and the project's runs; selecting a run draws its
// recorded curves from the project file. An experiment trains the same settings as "transfer"
// against "scratch" (and optionally a linear probe) over seeds and label budgets.
class TrainPage : public QWidget {
    Q_OBJECT

public:
    explicit TrainPage(const ModelPage* model, QWidget* parent = nullptr);

    void setProject(const QString& path);
    // The project's domains, for the training and target domain choices (empty: no domains).
    void setDomains(const QStringList& domains);
    // The project's tasks, first task first: a run learns one of them, or all together with a head
    // each (editable: any comma-separated list); hidden with one task.
    void setTasks(const QStringList& tasks);
    // Read-only projects (another process writes them) can be watched but not trained.
    void setReadOnly(bool readOnly);
    // What runs train on, new and resumed (a DeviceRequest text, from Preferences).
    void setDevice(const QString& device) { device_ = device; }
    void setInputMemoryMegabytes(int megabytes) { inputMemoryMegabytes_ = megabytes; }
    // The weights runs and the transfer arm start from (a file), or "scratch".
    void setInitialWeights(const QString& weights);
    void start();
    // Refused, with a message, without initial weights to transfer from or with bad budgets.
    void startExperiment();
    // Trains the trials left of the newest experiment that has any: one defined but never run
    // (the demo's), or one stopped or killed part-way. Finished trials are never redone.
    void continueExperiment();
    // A labelling simulation: the strategies named pick images round by round, and the form's
    // settings (from its initial weights) train after every round. Refused, with a notice, for an
    // unknown strategy or a feature-based one without initial weights.
    void startSimulation();
    // That experiment, offered by a button; 0 when every experiment is done.
    qint64 unfinishedExperiment() const { return unfinishedExperiment_; }
    // Stops after the current step, keeping it (the run can be resumed).
    void pause();
    // Continues the selected run, if it was stopped, exactly where it stopped.
    void resumeSelected();
    // Draws the run's recorded curves.
    void showRun(qint64 runId);
    // Draws the experiment's arms at the label budget of its newest trial, from the project file.
    void showExperiment(qint64 experimentId);
    // A run or experiment another process (graft-cli, say) is training in this project, which the
    // page follows; 0 when none.
    qint64 followedRun() const { return followedRun_; }
    int runCount() const;
    // Of the run or experiment under way, 0–100.
    int progressPercent() const;
    // What the run or experiment under way is doing, with its ETA.
    QString progressText() const;
    MetricChart* chart() const { return chart_; }
    JobController* job() const { return job_; }

protected:
    // Arriving on the page by keyboard (Ctrl+3) starts at the top of the form.
    void focusInEvent(QFocusEvent* event) override;

Q_SIGNALS:
    // For the status bar: what is happening, with the ETA while a run trains.
    void status(const QString& text);
    void runsChanged();
    // A run or an experiment started (true) or ended.
    void runningChanged(bool running);
    void experimentFinished(qint64 experimentId);

private:
    void reloadRuns();
    void onStep(qint64 step, int epoch, qint64 stepsPerEpoch, double loss);
    void onFinished(qint64 id, bool succeeded, const QString& message);
    void onTrials(int done, int total, double etaSeconds, const QString& current);
    // Resets the progress display and timing for the job about to start.
    void prepareJob(const QString& text, bool experiment);
    // Stores the experiment (with the project's default metric unless one was chosen) and trains it.
    void launchExperiment(ExperimentSpec spec);
    // The form's settings shared by a run and an experiment's transfer arm; false (with a notice)
    // when one is not valid.
    bool readSettings(TrainConfig& config);
    void setRunning(bool running);
    void updateResume();
    // Finds unfinishedExperiment() and shows or hides its button.
    void findUnfinishedExperiment();
    // Follows a run still running when the project opened (see followedRun()), until it ends.
    void followRunning();
    void followTick();

    const ModelPage* model_;
    QString projectPath_;
    QString device_ = "auto";
    int inputMemoryMegabytes_ = int(TrainConfig{}.inputMemoryBudgetBytes >> 20);
    JobController* job_;
    MetricChart* chart_;
    QSpinBox* epochs_;
    QSpinBox* batchSize_;
    QSpinBox* inputSize_; // 0: the architecture's own
    QDoubleSpinBox* learningRate_;
    QComboBox* optimizer_;
    QComboBox* schedule_;
    QComboBox* augment_;
    QSpinBox* seed_;
    QSpinBox* labelsPerClass_;
    // What the unlabelled images teach: nothing, or FixMatch with its threshold (tau), ratio (mu)
    // and weight (lambda_u).
    QComboBox* semiSupervised_;
    QDoubleSpinBox* threshold_;
    QSpinBox* unlabelledRatio_;
    QDoubleSpinBox* unlabelledWeight_;
    QDoubleSpinBox* emaDecay_; // 0: no weight average
    QLineEdit* init_;
    QSpinBox* seeds_;
    QLineEdit* budgets_;
    QComboBox* metric_; // what the experiment judges by; "automatic" leaves it to the labels' balance
    QCheckBox* withProbe_;
    QCheckBox* withFixMatch_; // adds a FixMatch twin of each fine-tuned arm
    QComboBox* tasks_;           // TrainConfig::tasks, as the item's data or the typed text
    QComboBox* taskWeights_;     // TrainConfig::taskWeights
    QWidget* tasksRow_;          // shown when the project has several tasks
    QComboBox* trainingDomain_;  // "": every domain
    QComboBox* targetDomain_;    // "": none
    QComboBox* adaptation_;      // TrainConfig::domainAdaptation
    QCheckBox* withAdaptation_;  // adds AdaBN, Deep CORAL and DANN twins of each fine-tuned arm
    QLineEdit* selfSupervisedInit_; // a pretrain --self-supervised result: a third init, fine-tuned as transfer is
    // The baselines' own rates and length: scratch from random weights and a probe training only
    // a head both want other settings than fine-tuning, and an under-trained baseline flatters transfer.
    QDoubleSpinBox* scratchLearningRate_;
    QSpinBox* scratchEpochs_;
    QDoubleSpinBox* probeLearningRate_;
    QPushButton* startButton_;
    QPushButton* experimentButton_;
    QLineEdit* strategies_; // a labelling simulation's, comma-separated
    QSpinBox* perRound_;
    QSpinBox* rounds_;
    QSpinBox* seedLabels_; // 0: a cold start
    QPushButton* simulateButton_;
    QPushButton* continueButton_;
    QPushButton* pauseButton_;
    QPushButton* resumeButton_;
    QProgressBar* progress_;
    QLabel* progressText_;
    QTableWidget* runTable_;
    QElapsedTimer elapsed_;
    bool experiment_ = false; // the job under way is an experiment
    bool readOnly_ = false;
    qint64 experimentId_ = 0; // the experiment the chart shows, if any
    qint64 unfinishedExperiment_ = 0;
    qint64 followedRun_ = 0;
    int idleFollowTicks_ = 0; // ticks without a running run since following began
    QTimer followTimer_;
    int plannedEpochs_ = 0;   // of the run under way, for its progress
    qint64 stepsBefore_ = -1; // steps the run had before this start (a resume's), once known
};

} // namespace graft::ui
