#pragma once

#include "project/Database.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace graft {

// Every project has this task: the labels made before projects had tasks (schema 10), and the
// one a command or page uses unless told another.
constexpr std::int64_t kFirstTask = 1;

struct TaskSummary {
    std::int64_t id = 0;
    std::string name;
    std::int64_t classes = 0;
    std::int64_t labeled = 0; // images with a label in this task
};

// The label sets of a project (disease, severity...), each with its own classes. A view over a
// Database it does not own.
class TaskStore {
public:
    explicit TaskStore(Database& db) : db_(db) {}

    // In the order they were made, the first task first.
    std::vector<TaskSummary> summaries();
    std::optional<std::int64_t> find(const std::string& name);
    // Throws "PROJECT: no task 'NAME' (tasks: a, b)".
    std::int64_t require(const std::string& name);
    // The id of the task named `name`, made when new. Throws on an empty name.
    std::int64_t ensure(const std::string& name);
    std::string name(std::int64_t task);
    // Throws naming both when another task already has `name`.
    void rename(std::int64_t task, const std::string& name);
    // The task, its classes and its labels go. The first task stays: it is refused.
    void remove(std::int64_t task);
    // Puts back a removed task under its old id, so what names it (an undo record) stays valid.
    void restore(std::int64_t task, const std::string& name);

private:
    Database& db_;
};

} // namespace graft
