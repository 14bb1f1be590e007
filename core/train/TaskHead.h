#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace graft {

// One task's head of a multi-task model: its name and its classes, in the order of its outputs.
// A model's heads follow one another in its outputs.
struct TaskHead {
    std::string name;
    std::vector<std::string> classes;

    bool operator==(const TaskHead&) const = default;
};

// Where a head's outputs lie among the model's: [begin, end).
struct HeadColumns {
    std::string name;
    std::int64_t begin = 0;
    std::int64_t end = 0;
};

inline std::vector<HeadColumns> headColumns(const std::vector<TaskHead>& tasks) {
    std::vector<HeadColumns> columns;
    std::int64_t begin = 0;
    for (const auto& task : tasks) {
        const auto end = begin + std::int64_t(task.classes.size());
        columns.push_back({task.name, begin, end});
        begin = end;
    }
    return columns;
}

} // namespace graft
