#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>
#include <sys/types.h>
#include <vector>

namespace graft::cli {

// A child process that answers one JSON line on stdout for each JSON line it gets on stdin, and
// first says it is ready with a JSON line of its own (the PyTorch side of `graft-cli bench`).
// Its stderr is ours. Destroying it closes its stdin, terminates it and waits for it.
class ReferenceProcess {
public:
    // Throws naming the program when it cannot start or does not say it is ready.
    ReferenceProcess(const std::string& program, const std::vector<std::string>& arguments);
    ~ReferenceProcess();
    ReferenceProcess(const ReferenceProcess&) = delete;
    ReferenceProcess& operator=(const ReferenceProcess&) = delete;

    const nlohmann::json& greeting() const { return greeting_; }
    // Throws with the child's own error, or its exit status when it died.
    nlohmann::json ask(const nlohmann::json& request);
    // SIGTERM, from any thread: a pending ask() then fails.
    void terminate();

private:
    nlohmann::json readAnswer(const std::string& what);
    // Closes the pipes, terminates the child and waits for it.
    void release();

    std::string program_;
    std::atomic<pid_t> pid_ = -1; // terminate() reads it from another thread
    std::FILE* toChild_ = nullptr;
    std::FILE* fromChild_ = nullptr;
    nlohmann::json greeting_;
};

} // namespace graft::cli
