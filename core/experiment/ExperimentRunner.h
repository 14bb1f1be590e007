#pragma once

#include "project/ProjectStore.h"
#include "train/RemoteTraining.h"
#include "train/TrainObserver.h"

#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string>
#include <string_view>

namespace graft {

struct ExperimentProgress {
    int runsDone = 0; // finished trials, this call's and earlier ones
    int runsTotal = 0;
    double etaSeconds = -1; // -1 until a run has been timed
    std::string current;    // "transfer, seed 1, 10 labels per class"
};

class ExperimentObserver : public TrainObserver {
public:
    virtual void onProgress(const ExperimentProgress&) {}
    virtual void onTrialFailed(const std::string& /*trial*/, std::string_view /*error*/) {}
    // The remote training the trial was lost (LostRemoteError's message); the trial runs again.
    virtual void onTrialRequeued(const std::string& /*trial*/, std::string_view /*reason*/) {}
};

struct ExperimentRunSummary {
    int trained = 0;   // started and finished in this call
    int resumed = 0;   // of those, continued from an interrupted or cancelled run
    int evaluated = 0; // finished before, but evaluated on the held-out images only in this call
    int skipped = 0; // finished and evaluated (or failed) before this call: never redone
    int failed = 0;  // failed in this call; the others still ran
    bool cancelled = false;
};

struct ExperimentState {
    int trials = 0;   // every (arm, seed, budget) of the spec
    int finished = 0; // and evaluated on the held-out images
    int failed = 0;   // never retried
    int left() const { return trials - finished - failed; }
};
// How far an experiment has got: runExperiment trains the trials left and skips the others.
ExperimentState experimentState(Database& db, std::int64_t experimentId);

// What each finished trial gets, from its best checkpoint on the held-out images (the test split,
// or the validation split when the project has no test images): every ExperimentMetric under
// heldOutMetricName, and the expected calibration error. A trial lacking one is evaluated again.
inline constexpr char kHeldOutAccuracy[] = "heldout_accuracy";
inline constexpr char kHeldOutEce[] = "heldout_ece";

// The split trials are judged on: the test split, or validation when it has no labelled images.
Split heldOutSplit(ProjectStore& store);

// Runs the experiment's trials (budget by budget, seed by seed, arm by arm), `parallelRuns` at a
// time (CPU only; each gets its share of the cores, and events reach the observer one at a time).
// Finished trials are skipped, interrupted or cancelled ones resume from their checkpoint, a
// finished trial without its held-out accuracy is evaluated again (not retrained), and a trial that
// fails is recorded as failed while the others go on. A stop request ends the current runs cleanly
// (they resume next time).
//
// With `remotes` (other processes: an experiment spread over ranks), each also takes trials, as
// they come free, largest label budget first; it trains them and this process records and
// evaluates them, so the held-out images never leave it. A remote that is lost (LostRemoteError)
// takes no more trials, and its trial goes back to the queue, to resume from its last checkpoint.
// Every remote still there is released at the end.
ExperimentRunSummary runExperiment(const std::filesystem::path& project, std::int64_t experimentId,
                                   ExperimentObserver& observer, std::stop_token stop, int parallelRuns = 1,
                                   const std::vector<RemoteTraining*>& remotes = {});

} // namespace graft
