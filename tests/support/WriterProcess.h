#pragma once

#include "project/ProjectFile.h"

#include <csignal>
#include <filesystem>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace graft::testing {

// A second process that opens `project` for writing and keeps it open until killed.
class WriterProcess {
public:
    explicit WriterProcess(const std::filesystem::path& project) {
        int ready[2];
        if (pipe(ready) != 0) throw std::runtime_error("pipe failed");
        pid_ = fork();
        if (pid_ == 0) {
            close(ready[0]);
            try {
                Database db = openProject(project);
                (void)!write(ready[1], "1", 1);
                for (;;) pause();
            } catch (...) {
                _exit(1);
            }
        }
        close(ready[1]);
        char byte = 0;
        const bool opened = read(ready[0], &byte, 1) == 1;
        close(ready[0]);
        if (!opened) throw std::runtime_error("the writer process could not open the project");
    }
    ~WriterProcess() { kill(); }
    WriterProcess(const WriterProcess&) = delete;
    WriterProcess& operator=(const WriterProcess&) = delete;

    pid_t pid() const { return pid_; }
    void kill() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        pid_ = 0;
    }

private:
    pid_t pid_ = 0;
};

} // namespace graft::testing
