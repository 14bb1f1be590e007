#include "project/ProjectLock.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace graft {
namespace {

namespace fs = std::filesystem;

std::mutex& registryMutex() {
    static std::mutex mutex;
    return mutex;
}

// Keyed by the lock file's absolute path, so "p.graft" and "./p.graft" share one lock.
std::map<fs::path, std::weak_ptr<ProjectLock>>& registry() {
    static std::map<fs::path, std::weak_ptr<ProjectLock>> locks;
    return locks;
}

std::string readHolder(int descriptor) {
    char text[256] = {};
    const ssize_t length = pread(descriptor, text, sizeof text - 1, 0);
    std::string holder(text, length > 0 ? std::size_t(length) : 0);
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
    return holder.empty() ? std::string("another process") : holder;
}

std::string describeSelf() {
    return std::string(program_invocation_short_name) + " (PID " + std::to_string(getpid()) + ")";
}

bool sameFile(int descriptor, const fs::path& path) {
    struct stat opened {}, named {};
    return fstat(descriptor, &opened) == 0 && stat(path.c_str(), &named) == 0 && opened.st_dev == named.st_dev &&
           opened.st_ino == named.st_ino;
}

} // namespace

fs::path ProjectLock::lockFilePath(const fs::path& project) {
    fs::path lockFile = fs::absolute(project);
    lockFile += "-lock";
    return lockFile;
}

std::shared_ptr<ProjectLock> ProjectLock::acquire(const fs::path& project) {
    const fs::path lockFile = lockFilePath(project);
    std::lock_guard guard(registryMutex());
    if (auto held = registry()[lockFile].lock()) return held;

    const std::string name = project.string();
    for (;;) {
        const int descriptor = open(lockFile.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (descriptor < 0) {
            throw ProjectNotWritableError(name + ": cannot create its lock file " + lockFile.string() + " (" +
                                              std::strerror(errno) + ")",
                                          "Is its folder writable? It can still be opened read-only");
        }
        if (flock(descriptor, LOCK_EX | LOCK_NB) != 0) {
            const int reason = errno;
            const std::string holder = reason == EWOULDBLOCK ? readHolder(descriptor) : std::string();
            close(descriptor);
            // This process's last writer is closing the project right now; its lock is about to go.
            if (reason == EWOULDBLOCK && holder == describeSelf()) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
                continue;
            }
            if (reason == EWOULDBLOCK) {
                throw ProjectNotWritableError(name + ": in use by " + holder,
                                              "Close it there first, or open the project read-only");
            }
            throw ProjectNotWritableError(name + ": cannot lock " + lockFile.string() + " (" + std::strerror(reason) + ")",
                                          "It can still be opened read-only");
        }
        // The previous holder unlinks the file before unlocking; a lock won on that unlinked file
        // guards nothing, so take the one now at the path instead.
        if (!sameFile(descriptor, lockFile)) {
            close(descriptor);
            continue;
        }
        // Best effort: if this fails the lock still holds, and others' messages just cannot name us.
        const std::string holder = describeSelf() + "\n";
        if (ftruncate(descriptor, 0) == 0) (void)!pwrite(descriptor, holder.data(), holder.size(), 0);
        std::shared_ptr<ProjectLock> lock(new ProjectLock(lockFile, descriptor));
        registry()[lockFile] = lock;
        return lock;
    }
}

ProjectLock::ProjectLock(fs::path lockFile, int descriptor) : lockFile_(std::move(lockFile)), descriptor_(descriptor) {}

// Unlocks before taking the registry mutex: acquire() may hold it while waiting for this unlock.
ProjectLock::~ProjectLock() {
    unlink(lockFile_.c_str());
    close(descriptor_);
    std::lock_guard guard(registryMutex());
    if (auto entry = registry().find(lockFile_); entry != registry().end() && entry->second.expired())
        registry().erase(entry);
}

} // namespace graft
