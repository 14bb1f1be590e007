#include "distributed/TrialWorker.h"

#include "distributed/TrialProtocol.h"
#include "train/PackageTraining.h"
#include "train/RelayedEvent.h"
#include "train/RemoteTraining.h"

namespace graft {
namespace {

// Sends the trainer's events to rank 0 and shows them here; stops the trial when rank 0 says so.
class EventRelay : public TrainObserver {
public:
    EventRelay(ProcessGroup& group, TrainObserver& console, std::stop_source& trialStop)
        : group_(group), console_(console), trialStop_(trialStop) {}
    void onStep(const StepEvent& event) override {
        send(RelayedEvent::of(event));
        console_.onStep(event);
        if (group_.flagRaised(kStopTrialsFlag)) trialStop_.request_stop();
    }
    void onEpoch(const EpochEvent& event) override {
        send(RelayedEvent::of(event));
        console_.onEpoch(event);
    }
    void onCheckpoint(const CheckpointEvent& event) override { send(RelayedEvent::of(event)); }
    void onLog(std::string_view message) override {
        send(RelayedEvent::log(message));
        console_.onLog(message);
    }
    void send(const RelayedEvent& event) { group_.sendBytes(0, event.toBytes(), kTrialEventTag); }

private:
    ProcessGroup& group_;
    TrainObserver& console_;
    std::stop_source& trialStop_;
};

} // namespace

int serveTrials(ProcessGroup& group, TrainObserver& console, std::stop_token stop) {
    int trained = 0;
    while (true) {
        const auto message = group.receiveBytes(0, kTrialTag);
        if (message.empty()) return trained;
        std::stop_source trialStop;
        const std::stop_callback forwardStop(stop, [&] { trialStop.request_stop(); });
        EventRelay relay(group, console, trialStop);
        RelayedEvent end;
        try {
            const auto package = TrainingPackage::fromBytes(message);
            end = RelayedEvent::ended(
                trainPackage(package, nullptr, group.deviceFor(package.spec.config.device), relay, trialStop.get_token()).outcome);
        } catch (const LostRemoteError&) {
            throw; // rank 0 has gone
        } catch (const std::exception& error) {
            end = RelayedEvent::failed(error.what());
        }
        relay.send(end);
        ++trained;
    }
}

} // namespace graft
