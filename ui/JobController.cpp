#include "TrainingJob.h"

#include <QMetaObject>

namespace graft::ui {

// The core's observer, on the worker thread: it only queues signal emissions.
class TrainingJob::Forwarder : public TrainObserver {
public:
    explicit Forwarder(TrainingJob* job) : job_(job) {}

    void onStep(const StepEvent& event) override {
        QMetaObject::invokeMethod(job_, [job = job_, event] {
            Q_EMIT job->stepDone(event.step, event.epoch, event.stepsPerEpoch, event.loss);
        }, Qt::QueuedConnection);
    }
    void onEpoch(const EpochEvent& event) override {
        QMetaObject::invokeMethod(job_, [job = job_, event] {
            Q_EMIT job->epochDone(event.epoch, event.epochs, event.step, event.trainLoss, event.validated, event.valAccuracy);
        }, Qt::QueuedConnection);
    }

private:
    TrainingJob* job_;
};

TrainingJob::TrainingJob(QObject* parent) : QObject(parent), forwarder_(std::make_unique<Forwarder>(this)) {}

TrainingJob::~TrainingJob() {
    worker_.request_stop();
    if (worker_.joinable()) worker_.join();
}

bool TrainingJob::start(const TrainingRequest& request) {
    if (running_) return false;
    if (worker_.joinable()) worker_.join(); // the previous run has ended; reap its thread
    running_ = true;
    worker_ = std::jthread([this, request](std::stop_token stop) {
        qint64 runId = 0;
        bool succeeded = false;
        QString message;
        try {
            const auto result = runTraining(request, *forwarder_, stop);
            runId = result.runId;
            succeeded = result.status == RunStatus::Finished;
            message = QString::fromStdString(std::string(runStatusName(result.status)));
            if (result.valAccuracy) message += QString(", validation accuracy %1").arg(*result.valAccuracy, 0, 'f', 4);
        } catch (const std::exception& error) {
            message = QString::fromStdString(error.what());
        }
        QMetaObject::invokeMethod(this, [this, runId, succeeded, message] {
            running_ = false;
            Q_EMIT finished(runId, succeeded, message);
        }, Qt::QueuedConnection);
    });
    return true;
}

void TrainingJob::cancel() { worker_.request_stop(); }

} // namespace graft::ui
