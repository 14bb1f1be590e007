#pragma once

namespace graft {

// An experiment spread over ranks: rank 0 sends a worker each trial as a TrainingPackage (an
// empty message: no more trials), and the worker sends back the trial's RelayedEvents, ending
// with its outcome or failure. A flag stops every worker's trial.
inline constexpr int kTrialTag = 1;
inline constexpr int kTrialEventTag = 2;
inline constexpr char kStopTrialsFlag[] = "stop-trials";

} // namespace graft
