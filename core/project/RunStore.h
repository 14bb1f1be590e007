#pragma once

#include "project/CheckpointKind.h"
#include "project/Database.h"
#include "project/FrozenWeights.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace graft {

enum class RunStatus { Running, Finished, Cancelled, Failed, Interrupted };
std::string_view runStatusName(RunStatus status);
RunStatus parseRunStatus(std::string_view name);

struct NewRun {
    std::string arm;
    std::string arch;
    std::string init;
    std::uint64_t seed = 0;
    std::string configJson;
    std::string graftVersion;
    std::string torchVersion;
    std::int64_t experimentId = 0; // 0: not part of an experiment
    std::int64_t labelsPerClass = 0;
};

struct RunRecord {
    std::int64_t id = 0;
    std::string arm;
    std::string arch;
    std::string init;
    std::uint64_t seed = 0;
    std::string configJson;
    RunStatus status = RunStatus::Running;
    std::string statusDetail;
    std::string startedAt;
    std::string endedAt;
    std::int64_t lastStep = 0;          // highest step with a recorded metric
    std::int64_t epochsDone = 0;        // epochs finished, each with its training loss, validated or not
    std::optional<double> lastValAccuracy;
    std::int64_t experimentId = 0;      // the experiment it is a trial of; 0: a run of its own
    std::int64_t labelsPerClass = 0;    // the trial's label budget; 0: every training image
};

struct Metric {
    std::string name;
    double value = 0;
};

struct MetricPoint {
    std::int64_t step = 0;
    std::int64_t epoch = 0;
    double value = 0;
};

// A held-out image a run's model got wrong; classes by name, as they were when it was evaluated.
struct Misclassification {
    std::string image; // SHA-256
    std::string actual;
    std::string predicted;
    std::optional<double> confidence = std::nullopt; // the prediction's probability, when just evaluated; not stored
};

struct StoredCheckpoint {
    std::int64_t epoch = 0;
    std::int64_t step = 0;
    std::vector<std::uint8_t> weights;
    std::vector<std::uint8_t> trainingState; // empty for best checkpoints and those before schema 2
    // The frozen blocks' tensors, which `weights` then leaves out (schema 9); none: `weights` holds all.
    std::optional<FrozenWeights> frozen;
};

// Runs, their metrics and checkpoints. A view over a Database it does not own.
class RunStore {
public:
    explicit RunStore(Database& db) : db_(db) {}

    // Records the run as running, owned by this process on this host.
    std::int64_t beginRun(const NewRun& run);
    void endRun(std::int64_t runId, RunStatus status, const std::string& detail = {});

    // One transaction per call, so a killed process keeps every step that returned.
    void addMetrics(std::int64_t runId, std::int64_t step, std::int64_t epoch, std::span<const Metric> metrics);
    // Replaces the run's checkpoint of that kind. With `frozen`, `weights` leaves out the frozen
    // blocks' tensors, which are written once per SHA-256 and shared; frozen tensors no checkpoint
    // refers to any more go.
    void saveCheckpoint(std::int64_t runId, CheckpointKind kind, std::int64_t epoch, std::int64_t step,
                        std::span<const std::uint8_t> weights, std::span<const std::uint8_t> trainingState = {},
                        const FrozenWeights* frozen = nullptr);
    std::optional<StoredCheckpoint> checkpoint(std::int64_t runId, CheckpointKind kind);

    // Marks an ended run running again, owned by this process, and forgets the metrics recorded
    // after `step` (those the resumed run will record anew). One transaction.
    void reopenRun(std::int64_t runId, std::int64_t step);

    std::vector<RunRecord> runs();
    RunRecord run(std::int64_t runId);
    std::vector<MetricPoint> metric(std::int64_t runId, const std::string& name);

    // Replaces the run's held-out metrics and the images it got wrong, in one transaction.
    void recordHeldOutResult(std::int64_t runId, std::span<const Metric> metrics, std::span<const Misclassification> errors);
    std::vector<Misclassification> heldOutErrors(std::int64_t runId);

    // The newest run of an experiment's trial (arm, seed, label budget), if it has one.
    std::optional<std::int64_t> trialRun(std::int64_t experimentId, const std::string& arm, std::uint64_t seed,
                                         std::int64_t labelsPerClass);

    // A run still marked running whose process on this host is gone was killed: mark it interrupted.
    int markDeadRunsInterrupted();

private:
    std::vector<RunRecord> queryRuns(std::optional<std::int64_t> runId);

    Database& db_;
};

} // namespace graft
