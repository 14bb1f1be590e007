#pragma once

#include <stop_token>
#include <thread>

namespace graft::cli {

// Turns Ctrl+C / SIGTERM into a stop request. The handler only sets a flag (all a signal
// handler may safely do); a watcher thread forwards it to the stop source.
class InterruptSignal {
public:
    InterruptSignal();
    ~InterruptSignal();
    std::stop_token token() const { return source_.get_token(); }
    bool received() const { return source_.stop_requested(); }

private:
    std::stop_source source_;
    std::jthread watcher_;
};

} // namespace graft::cli
