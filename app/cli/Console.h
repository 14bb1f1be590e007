#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace graft::cli {

// A one-line progress display with ETA on stderr; silent when stderr is not a terminal, so
// logs and --json output stay clean.
class ConsoleProgress {
public:
    ConsoleProgress();
    void update(std::string_view stage, std::int64_t done, std::int64_t total, std::string_view detail = {});
    // Ends the line, if one was drawn.
    void finish();

private:
    bool enabled_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point started_;
    std::chrono::steady_clock::time_point lastDrawn_{};
};

} // namespace graft::cli
