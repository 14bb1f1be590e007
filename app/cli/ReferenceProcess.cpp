#include "ReferenceProcess.h"

#include "common/Error.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace graft::cli {

ReferenceProcess::ReferenceProcess(const std::string& program, const std::vector<std::string>& arguments)
    : program_(program) {
    int input[2], output[2];
    if (::pipe2(input, O_CLOEXEC) != 0 || ::pipe2(output, O_CLOEXEC) != 0)
        throw Error(program + ": could not start (" + std::strerror(errno) + ")");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, input[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, output[1], STDOUT_FILENO);
    std::vector<char*> argv{const_cast<char*>(program.c_str())};
    for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int spawned = ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
    pid_ = pid;
    posix_spawn_file_actions_destroy(&actions);
    ::close(input[0]);
    ::close(output[1]);
    if (spawned != 0) {
        ::close(input[1]);
        ::close(output[0]);
        pid_ = -1;
        throw Error(program + ": could not start (" + std::strerror(spawned) + ")");
    }
    toChild_ = ::fdopen(input[1], "w");
    fromChild_ = ::fdopen(output[0], "r");
    try {
        greeting_ = readAnswer("starting");
    } catch (...) {
        release(); // a constructor that throws gets no destructor call
        throw;
    }
}

ReferenceProcess::~ReferenceProcess() { release(); }

void ReferenceProcess::release() {
    if (toChild_) std::fclose(toChild_);
    if (fromChild_) std::fclose(fromChild_);
    toChild_ = fromChild_ = nullptr;
    if (const pid_t pid = pid_; pid > 0) {
        terminate(); // it may be in the middle of a workload
        ::waitpid(pid, nullptr, 0);
        pid_ = -1;
    }
}

void ReferenceProcess::terminate() {
    if (const pid_t pid = pid_; pid > 0) ::kill(pid, SIGTERM);
}

nlohmann::json ReferenceProcess::ask(const nlohmann::json& request) {
    // A write to a child that died fails (SIGPIPE is ignored by the caller); readAnswer says how it died.
    std::fputs((request.dump() + "\n").c_str(), toChild_);
    std::fflush(toChild_);
    return readAnswer(request.dump());
}

nlohmann::json ReferenceProcess::readAnswer(const std::string& what) {
    char* line = nullptr;
    std::size_t capacity = 0;
    const auto length = ::getline(&line, &capacity, fromChild_);
    const std::string text = length > 0 ? std::string(line, std::size_t(length)) : std::string();
    std::free(line);
    if (length <= 0) {
        int status = 0;
        std::string how = "closed its output";
        if (const pid_t pid = pid_; pid > 0 && ::waitpid(pid, &status, 0) == pid) {
            pid_ = -1;
            how = WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                    : "was killed by signal " + std::to_string(WTERMSIG(status));
        }
        throw Error(program_ + " " + how + " while " + what + "; its messages are above");
    }
    nlohmann::json answer;
    try {
        answer = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception&) {
        throw Error(program_ + " answered something that is not JSON while " + what + ": " + text);
    }
    if (answer.contains("error")) throw Error(program_ + " failed while " + what + ": " + answer["error"].get<std::string>());
    return answer;
}

} // namespace graft::cli
