#include "project/RunStore.h"

#include <fstream>
#include <sstream>
#include <unistd.h>

namespace graft {
namespace {

std::string hostName() {
    char name[256] = {};
    gethostname(name, sizeof name - 1);
    return name;
}

// Start time (clock ticks since boot, field 22 of /proc/<pid>/stat) of a running process, or
// -1 when it is gone or a zombie. Pid and start time together identify a process: a SIGKILLed
// process can linger unreaped as a zombie, and its pid can be reused.
std::int64_t processStartTime(std::int64_t pid) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(file, stat)) return -1;
    const auto commandEnd = stat.rfind(')'); // the command name may itself hold spaces or ')'
    if (commandEnd == std::string::npos) return -1;
    std::istringstream fields(stat.substr(commandEnd + 1));
    std::string state;
    fields >> state;
    if (state == "Z" || state == "X") return -1;
    std::string field;
    for (int index = 4; index <= 22 && fields >> field; ++index) {
    }
    return fields ? std::stoll(field) : -1;
}

} // namespace

std::string_view runStatusName(RunStatus status) {
    switch (status) {
    case RunStatus::Running: return "running";
    case RunStatus::Finished: return "finished";
    case RunStatus::Cancelled: return "cancelled";
    case RunStatus::Failed: return "failed";
    case RunStatus::Interrupted: return "interrupted";
    }
    return "failed";
}

RunStatus parseRunStatus(std::string_view name) {
    for (auto status : {RunStatus::Running, RunStatus::Finished, RunStatus::Cancelled, RunStatus::Failed,
                        RunStatus::Interrupted})
        if (runStatusName(status) == name) return status;
    throw Error("unknown run status '" + std::string(name) + "'");
}

std::int64_t RunStore::beginRun(const NewRun& run) {
    auto insert = db_.prepare("INSERT INTO runs(arm, arch, init, seed, config, status, pid, process_start, host, "
                              "graft_version, torch_version, experiment_id, labels_per_class) "
                              "VALUES(?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, run.arm)
        .bind(2, run.arch)
        .bind(3, run.init)
        .bind(4, std::int64_t(run.seed))
        .bind(5, run.configJson)
        .bind(6, std::int64_t(getpid()))
        .bind(7, processStartTime(getpid()))
        .bind(8, hostName())
        .bind(9, run.graftVersion)
        .bind(10, run.torchVersion)
        .bind(12, run.labelsPerClass);
    if (run.experimentId > 0) insert.bind(11, run.experimentId);
    else insert.bindNull(11);
    insert.run();
    return db_.lastInsertId();
}

std::optional<std::int64_t> RunStore::trialRun(std::int64_t experimentId, const std::string& arm, std::uint64_t seed,
                                               std::int64_t labelsPerClass) {
    auto query = db_.prepare("SELECT id FROM runs WHERE experiment_id = ? AND arm = ? AND seed = ? AND "
                             "labels_per_class = ? ORDER BY id DESC LIMIT 1");
    query.bind(1, experimentId).bind(2, arm).bind(3, std::int64_t(seed)).bind(4, labelsPerClass);
    if (!query.step()) return std::nullopt;
    return query.columnInt(0);
}

void RunStore::endRun(std::int64_t runId, RunStatus status, const std::string& detail) {
    db_.prepare("UPDATE runs SET status = ?, status_detail = ?, ended_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                "WHERE id = ?")
        .bind(1, runStatusName(status))
        .bind(2, detail)
        .bind(3, runId)
        .run();
}

void RunStore::addMetrics(std::int64_t runId, std::int64_t step, std::int64_t epoch, std::span<const Metric> metrics) {
    Transaction transaction(db_);
    auto insert = db_.prepare("INSERT OR REPLACE INTO metrics(run_id, name, step, epoch, value) VALUES(?, ?, ?, ?, ?)");
    for (const auto& metric : metrics) {
        insert.reset();
        insert.bind(1, runId).bind(2, metric.name).bind(3, step).bind(4, epoch).bind(5, metric.value).run();
    }
    transaction.commit();
}

namespace {

const char* kindName(CheckpointKind kind) { return kind == CheckpointKind::Best ? "best" : "last"; }

} // namespace

void RunStore::saveCheckpoint(std::int64_t runId, CheckpointKind kind, std::int64_t epoch, std::int64_t step,
                              std::span<const std::uint8_t> weights, std::span<const std::uint8_t> trainingState,
                              const FrozenWeights* frozen) {
    Transaction transaction(db_);
    std::optional<std::string> replacedFrozen;
    {
        auto replaced = db_.prepare("SELECT frozen_sha256 FROM checkpoints WHERE run_id = ? AND kind = ? AND frozen_sha256 IS NOT NULL");
        replaced.bind(1, runId).bind(2, kindName(kind));
        if (replaced.step()) replacedFrozen = replaced.columnText(0);
    }
    db_.prepare("DELETE FROM checkpoints WHERE run_id = ? AND kind = ?").bind(1, runId).bind(2, kindName(kind)).run();
    if (frozen) {
        auto known = db_.prepare("SELECT 1 FROM frozen_weights WHERE sha256 = ?");
        known.bind(1, frozen->sha256);
        if (!known.step())
            db_.prepare("INSERT INTO frozen_weights(sha256, data) VALUES(?, ?)").bind(1, frozen->sha256).bindBlob(2, frozen->weights).run();
    }
    auto insert = db_.prepare(
        "INSERT INTO checkpoints(run_id, kind, epoch, step, data, training_state, frozen_sha256) VALUES(?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, runId).bind(2, kindName(kind)).bind(3, epoch).bind(4, step).bindBlob(5, weights);
    if (trainingState.empty()) insert.bindNull(6);
    else insert.bindBlob(6, trainingState);
    if (frozen) insert.bind(7, frozen->sha256);
    else insert.bindNull(7);
    insert.run();
    if (replacedFrozen && (!frozen || frozen->sha256 != *replacedFrozen))
        db_.prepare("DELETE FROM frozen_weights WHERE sha256 = ? AND NOT EXISTS "
                    "(SELECT 1 FROM checkpoints WHERE frozen_sha256 = frozen_weights.sha256)")
            .bind(1, *replacedFrozen)
            .run();
    transaction.commit();
}

std::optional<StoredCheckpoint> RunStore::checkpoint(std::int64_t runId, CheckpointKind kind) {
    auto statement = db_.prepare("SELECT c.epoch, c.step, c.data, c.training_state, c.frozen_sha256, f.data FROM checkpoints c "
                                 "LEFT JOIN frozen_weights f ON f.sha256 = c.frozen_sha256 "
                                 "WHERE c.run_id = ? AND c.kind = ? ORDER BY c.step DESC LIMIT 1");
    statement.bind(1, runId).bind(2, kindName(kind));
    if (!statement.step()) return std::nullopt;
    StoredCheckpoint checkpoint{statement.columnInt(0), statement.columnInt(1), statement.columnBlob(2), statement.columnBlob(3), {}};
    if (!statement.isNull(4)) checkpoint.frozen = FrozenWeights{statement.columnText(4), statement.columnBlob(5)};
    return checkpoint;
}

void RunStore::reopenRun(std::int64_t runId, std::int64_t step) {
    Transaction transaction(db_);
    db_.prepare("UPDATE runs SET status = 'running', status_detail = '', ended_at = NULL, pid = ?, process_start = ?, "
                "host = ? WHERE id = ?")
        .bind(1, std::int64_t(getpid()))
        .bind(2, processStartTime(getpid()))
        .bind(3, hostName())
        .bind(4, runId)
        .run();
    db_.prepare("DELETE FROM metrics WHERE run_id = ? AND step > ?").bind(1, runId).bind(2, step).run();
    transaction.commit();
}

std::vector<RunRecord> RunStore::queryRuns(std::optional<std::int64_t> runId) {
    auto statement = db_.prepare(R"sql(
        SELECT r.id, r.arm, r.arch, r.init, r.seed, r.config, r.status, r.status_detail, r.started_at,
               coalesce(r.ended_at, ''),
               (SELECT coalesce(max(step), 0) FROM metrics m WHERE m.run_id = r.id),
               (SELECT count(*) FROM metrics m WHERE m.run_id = r.id AND m.name = 'train_loss'),
               (SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'val_accuracy'
                ORDER BY step DESC LIMIT 1),
               coalesce(r.experiment_id, 0), r.labels_per_class
        FROM runs r WHERE ?1 IS NULL OR r.id = ?1 ORDER BY r.id)sql");
    if (runId) statement.bind(1, *runId);
    else statement.bindNull(1);
    std::vector<RunRecord> records;
    while (statement.step()) {
        RunRecord record;
        record.id = statement.columnInt(0);
        record.arm = statement.columnText(1);
        record.arch = statement.columnText(2);
        record.init = statement.columnText(3);
        record.seed = std::uint64_t(statement.columnInt(4));
        record.configJson = statement.columnText(5);
        record.status = parseRunStatus(statement.columnText(6));
        record.statusDetail = statement.columnText(7);
        record.startedAt = statement.columnText(8);
        record.endedAt = statement.columnText(9);
        record.lastStep = statement.columnInt(10);
        record.epochsDone = statement.columnInt(11);
        if (!statement.isNull(12)) record.lastValAccuracy = statement.columnDouble(12);
        record.experimentId = statement.columnInt(13);
        record.labelsPerClass = statement.columnInt(14);
        records.push_back(std::move(record));
    }
    return records;
}

std::vector<RunRecord> RunStore::runs() { return queryRuns(std::nullopt); }

RunRecord RunStore::run(std::int64_t runId) {
    auto records = queryRuns(runId);
    if (records.empty()) throw Error(db_.path() + ": no run with id " + std::to_string(runId));
    return records.front();
}

std::vector<MetricPoint> RunStore::metric(std::int64_t runId, const std::string& name) {
    auto statement = db_.prepare("SELECT step, epoch, value FROM metrics WHERE run_id = ? AND name = ? ORDER BY step");
    statement.bind(1, runId).bind(2, name);
    std::vector<MetricPoint> points;
    while (statement.step())
        points.push_back({statement.columnInt(0), statement.columnInt(1), statement.columnDouble(2)});
    return points;
}

void RunStore::recordHeldOutResult(std::int64_t runId, std::span<const Metric> metrics, std::span<const Misclassification> errors) {
    const auto record = run(runId);
    Transaction transaction(db_);
    auto insertMetric = db_.prepare("INSERT OR REPLACE INTO metrics(run_id, name, step, epoch, value) VALUES(?, ?, ?, ?, ?)");
    for (const auto& metric : metrics) {
        insertMetric.reset();
        insertMetric.bind(1, runId).bind(2, metric.name).bind(3, record.lastStep).bind(4, record.epochsDone).bind(5, metric.value).run();
    }
    db_.prepare("DELETE FROM heldout_errors WHERE run_id = ?").bind(1, runId).run();
    auto insert = db_.prepare("INSERT INTO heldout_errors(run_id, image, actual, predicted) VALUES(?, ?, ?, ?)");
    for (const auto& error : errors) {
        insert.reset();
        insert.bind(1, runId).bind(2, error.image).bind(3, error.actual).bind(4, error.predicted).run();
    }
    transaction.commit();
}

std::vector<Misclassification> RunStore::heldOutErrors(std::int64_t runId) {
    auto statement = db_.prepare("SELECT image, actual, predicted FROM heldout_errors WHERE run_id = ? ORDER BY image");
    statement.bind(1, runId);
    std::vector<Misclassification> errors;
    while (statement.step()) errors.push_back({statement.columnText(0), statement.columnText(1), statement.columnText(2)});
    return errors;
}

int RunStore::markDeadRunsInterrupted() {
    auto running = db_.prepare("SELECT id, pid, process_start FROM runs WHERE status = 'running' AND host = ?");
    running.bind(1, hostName());
    std::vector<std::int64_t> dead;
    while (running.step())
        if (processStartTime(running.columnInt(1)) != running.columnInt(2)) dead.push_back(running.columnInt(0));
    for (auto runId : dead) endRun(runId, RunStatus::Interrupted, "the process that ran it ended without finishing");
    return int(dead.size());
}

} // namespace graft
