#pragma once

#include "distributed/ProcessGroup.h"
#include "train/TrainObserver.h"

#include <stop_token>

namespace graft {

// A rank other than 0 of an experiment spread over ranks: trains the trials rank 0 sends (a
// RemoteRank there), one at a time and without opening any project, relaying each one's events
// back and echoing them to `console`, until rank 0 has no more. Each trains on the arm's device
// as this rank sees it (ProcessGroup::deviceFor: "auto" is this rank's GPU). A trial that fails here is
// reported to rank 0, and the next one comes. Returns the trials trained. Throws
// LostRemoteError when rank 0 has gone.
int serveTrials(ProcessGroup& group, TrainObserver& console, std::stop_token stop);

} // namespace graft
