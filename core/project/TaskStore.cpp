#include "project/TaskStore.h"

#include "common/Error.h"

namespace graft {

std::vector<TaskSummary> TaskStore::summaries() {
    auto statement = db_.prepare("SELECT t.id, t.name, "
                                 "(SELECT count(*) FROM classes c WHERE c.task_id = t.id), "
                                 "(SELECT count(*) FROM labels l WHERE l.task_id = t.id) "
                                 "FROM tasks t ORDER BY t.id");
    std::vector<TaskSummary> tasks;
    while (statement.step())
        tasks.push_back({statement.columnInt(0), statement.columnText(1), statement.columnInt(2), statement.columnInt(3)});
    return tasks;
}

std::optional<std::int64_t> TaskStore::find(const std::string& name) {
    auto statement = db_.prepare("SELECT id FROM tasks WHERE name = ?");
    statement.bind(1, name);
    if (!statement.step()) return std::nullopt;
    return statement.columnInt(0);
}

std::int64_t TaskStore::require(const std::string& name) {
    if (const auto task = find(name)) return *task;
    std::string names;
    for (const auto& task : summaries()) names += (names.empty() ? "" : ", ") + task.name;
    throw Error(db_.path() + ": no task '" + name + "' (tasks: " + names + ")");
}

std::int64_t TaskStore::ensure(const std::string& name) {
    if (name.empty()) throw Error(db_.path() + ": a task needs a name");
    db_.prepare("INSERT INTO tasks(name) VALUES(?) ON CONFLICT(name) DO NOTHING").bind(1, name).run();
    return *find(name);
}

std::string TaskStore::name(std::int64_t task) {
    auto statement = db_.prepare("SELECT name FROM tasks WHERE id = ?");
    statement.bind(1, task);
    if (!statement.step()) throw Error(db_.path() + ": no task with id " + std::to_string(task));
    return statement.columnText(0);
}

void TaskStore::rename(std::int64_t task, const std::string& name) {
    if (name.empty()) throw Error(db_.path() + ": a task needs a name");
    if (const auto existing = find(name); existing && *existing != task)
        throw Error(db_.path() + ": a task named '" + name + "' already exists");
    db_.prepare("UPDATE tasks SET name = ? WHERE id = ?").bind(1, name).bind(2, task).run();
    if (db_.changes() != 1) throw Error(db_.path() + ": no task with id " + std::to_string(task));
}

void TaskStore::remove(std::int64_t task) {
    if (task == kFirstTask)
        throw Error(db_.path() + ": the first task ('" + name(task) + "') cannot be removed; rename it instead");
    db_.prepare("DELETE FROM tasks WHERE id = ?").bind(1, task).run(); // classes, then labels, by ON DELETE CASCADE
    if (db_.changes() != 1) throw Error(db_.path() + ": no task with id " + std::to_string(task));
    // Splits stratified on it go back to the first task's classes.
    db_.prepare("DELETE FROM settings WHERE key = 'split.task' AND value = ?").bind(1, std::to_string(task)).run();
}

void TaskStore::restore(std::int64_t task, const std::string& name) {
    db_.prepare("INSERT INTO tasks(id, name) VALUES(?, ?)").bind(1, task).bind(2, name).run();
}

} // namespace graft
