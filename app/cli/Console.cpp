#include "Console.h"

#include <cstdio>
#include <string>
#include <unistd.h>

namespace graft::cli {
namespace {

std::string formatSeconds(double seconds) {
    const auto whole = long(seconds + 0.5);
    char text[32];
    if (whole >= 3600) std::snprintf(text, sizeof text, "%ldh%02ldm", whole / 3600, whole / 60 % 60);
    else if (whole >= 60) std::snprintf(text, sizeof text, "%ldm%02lds", whole / 60, whole % 60);
    else std::snprintf(text, sizeof text, "%lds", whole);
    return text;
}

} // namespace

ConsoleProgress::ConsoleProgress() : enabled_(isatty(STDERR_FILENO) == 1), started_(std::chrono::steady_clock::now()) {}

void ConsoleProgress::update(std::string_view stage, std::int64_t done, std::int64_t total, std::string_view detail) {
    const auto now = std::chrono::steady_clock::now();
    if (!enabled_ || (now - lastDrawn_ < std::chrono::milliseconds(100) && done != total)) return;
    lastDrawn_ = now;
    const double elapsed = std::chrono::duration<double>(now - started_).count();
    std::string eta = "--";
    if (done > 0 && total >= done) eta = formatSeconds(elapsed * double(total - done) / double(done));
    std::fprintf(stderr, "\r\033[K%.*s %lld/%lld (%d%%) ETA %s %.*s", int(stage.size()), stage.data(), (long long)done,
                 (long long)total, total > 0 ? int(100 * done / total) : 0, eta.c_str(), int(detail.size()),
                 detail.data());
    std::fflush(stderr);
    drawn_ = true;
}

void ConsoleProgress::finish() {
    if (drawn_) std::fputs("\n", stderr);
    drawn_ = false;
    started_ = std::chrono::steady_clock::now();
}

} // namespace graft::cli
