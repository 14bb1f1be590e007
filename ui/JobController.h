#pragma once

#include "train/TrainingSession.h"

#include <QObject>
#include <QString>

#include <memory>
#include <thread>

namespace graft::ui {

// Runs one training run on a worker thread and re-emits its events as queued signals, so slots
// run on the thread that owns this object (the GUI's). Cancel asks the run to stop at the next
// step; the destructor cancels and waits.
class TrainingJob : public QObject {
    Q_OBJECT

public:
    explicit TrainingJob(QObject* parent = nullptr);
    ~TrainingJob() override;

    // Refused (false) while a run is going.
    bool start(const TrainingRequest& request);
    void cancel();
    bool isRunning() const { return running_; }

Q_SIGNALS:
    void stepDone(qint64 step, int epoch, qint64 stepsPerEpoch, double loss);
    void epochDone(int epoch, int epochs, qint64 step, double trainLoss, bool validated, double valAccuracy);
    // `runId` 0 when the run could not start; `message` says how it ended.
    void finished(qint64 runId, bool succeeded, const QString& message);

private:
    class Forwarder;
    std::unique_ptr<Forwarder> forwarder_;
    std::jthread worker_;
    bool running_ = false;
};

} // namespace graft::ui
