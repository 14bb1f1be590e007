#pragma once

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace graft::testing {

struct KilledProcessResult {
    std::vector<std::string> lines; // complete stdout lines written before it ended
    bool killed = false;            // false: it finished on its own first
    int exitCode = -1;              // when it finished on its own
};

// Starts `program` with `arguments` and SIGKILLs it `delay` after it has written `afterLines`
// lines to stdout, unless it ends first. Stderr goes to /dev/null; stdout is collected by line.
inline KilledProcessResult runAndKillAfter(const std::string& program, const std::vector<std::string>& arguments,
                                           std::chrono::microseconds delay, std::size_t afterLines = 0) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    std::vector<char*> argv = {const_cast<char*>(program.c_str())};
    for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    pid_t pid = 0;
    const int error = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (error != 0) {
        close(out[0]);
        throw std::runtime_error("cannot start " + program);
    }

    KilledProcessResult result;
    std::string pending;
    bool open = true;
    auto readAvailable = [&](int timeoutMs) {
        pollfd descriptor{out[0], POLLIN, 0};
        if (poll(&descriptor, 1, timeoutMs) <= 0) return;
        char buffer[4096];
        const ssize_t got = read(out[0], buffer, sizeof buffer);
        if (got <= 0) {
            open = false;
            return;
        }
        pending.append(buffer, std::size_t(got));
        for (std::size_t end; (end = pending.find('\n')) != std::string::npos; pending.erase(0, end + 1))
            result.lines.push_back(pending.substr(0, end));
    };
    while (open && result.lines.size() < afterLines) readAvailable(-1);
    const auto deadline = std::chrono::steady_clock::now() + delay;
    while (open) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        readAvailable(int(left.count()));
    }
    if (open) {
        result.killed = kill(pid, SIGKILL) == 0;
        while (open) readAvailable(-1); // what it wrote before dying
    }
    close(out[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) result.killed = true;
    else {
        result.killed = false;
        result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    return result;
}

} // namespace graft::testing
