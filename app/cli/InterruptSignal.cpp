#include "InterruptSignal.h"

#include <chrono>
#include <csignal>

namespace graft::cli {
namespace {

volatile std::sig_atomic_t interrupted = 0;

extern "C" void onInterrupt(int) { interrupted = 1; }

} // namespace

InterruptSignal::InterruptSignal() {
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    watcher_ = std::jthread([this](std::stop_token stop) {
        while (!stop.stop_requested()) {
            if (interrupted) {
                source_.request_stop();
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });
}

InterruptSignal::~InterruptSignal() {
    watcher_.request_stop();
    watcher_.join();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

} // namespace graft::cli
