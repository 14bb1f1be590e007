#pragma once

#include "common/Error.h"

#include <filesystem>
#include <memory>

namespace graft {

// The project can be read but not written now: another process writes it (what() names that
// process and its PID), or its file or folder is write-protected. Opening it read-only still works.
class ProjectNotWritableError : public Error {
public:
    // what() is the problem followed by the advice; a front end that opens the project read-only
    // instead shows the problem alone.
    ProjectNotWritableError(const std::string& problem, const std::string& advice)
        : Error(problem + ". " + advice), problem_(problem) {}
    const std::string& problem() const { return problem_; }

private:
    std::string problem_;
};

// The one-writer rule for a project file: an exclusive flock(2) on "<project>-lock" beside it,
// which the kernel drops when the holder dies, so a killed process never leaves a stale lock.
// Inside one process all writers of a project share one lock; other processes get
// ProjectNotWritableError naming the holder. The lock file is removed when the last writer closes.
class ProjectLock {
public:
    // Shares the lock this process already holds on `project`, or takes it.
    static std::shared_ptr<ProjectLock> acquire(const std::filesystem::path& project);

    ~ProjectLock();
    ProjectLock(const ProjectLock&) = delete;
    ProjectLock& operator=(const ProjectLock&) = delete;

    static std::filesystem::path lockFilePath(const std::filesystem::path& project);

private:
    ProjectLock(std::filesystem::path lockFile, int descriptor);

    std::filesystem::path lockFile_;
    int descriptor_;
};

} // namespace graft
