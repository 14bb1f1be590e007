#include "distributed/RemoteRank.h"

#include "distributed/TrialProtocol.h"
#include "train/RelayedEvent.h"

namespace graft {

TrainOutcome RemoteRank::train(const TrainingPackage& package, TrainObserver& observer, std::stop_token stop) {
    const std::stop_callback stopEveryTrial(stop, [this] { group_.raiseFlag(kStopTrialsFlag); });
    group_.sendBytes(rank_, package.toBytes(), kTrialTag);
    while (true) {
        const auto event = RelayedEvent::fromBytes(group_.receiveBytes(rank_, kTrialEventTag));
        if (event.kind == RelayedEvent::Kind::Outcome) return event.outcome;
        if (event.kind == RelayedEvent::Kind::Failure) throw Error(group_.describePeer(rank_) + ": " + event.text);
        event.replayTo(observer);
    }
}

void RemoteRank::release() { group_.sendBytes(rank_, {}, kTrialTag); }

} // namespace graft
