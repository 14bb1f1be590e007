#include "train/OutOfMemoryAdvice.h"

#include <new>
#include <regex>

namespace graft {
namespace {

// "tried to allocate 4398046511104 bytes" (CPU) or "Tried to allocate 2.00 GiB" (CUDA).
std::string requestedSize(const std::string& message) {
    std::smatch match;
    if (std::regex_search(message, match, std::regex(R"([Tt]ried to allocate ([0-9.]+) bytes)"))) {
        double bytes = std::stod(match[1]);
        const char* units[] = {"bytes", "KB", "MB", "GB", "TB", "PB"};
        int unit = 0;
        for (; bytes >= 1024 && unit < 5; ++unit) bytes /= 1024;
        char text[32];
        std::snprintf(text, sizeof text, "%.1f %s", bytes, units[unit]);
        return text;
    }
    if (std::regex_search(message, match, std::regex(R"([Tt]ried to allocate ([0-9.]+ [KMGT]iB))"))) return match[1];
    return {};
}

} // namespace

std::optional<std::string> outOfMemoryAdvice(const std::exception& error, const TrainConfig& config) {
    const std::string message = error.what();
    const bool outOfMemory = dynamic_cast<const std::bad_alloc*>(&error) != nullptr ||
                             message.find("can't allocate memory") != std::string::npos ||
                             message.find("out of memory") != std::string::npos;
    if (!outOfMemory) return std::nullopt;
    const std::string size = requestedSize(message);
    return "out of memory with batch size " + std::to_string(config.batchSize) + " on " + config.device +
           (size.empty() ? std::string() : " (one step asked for " + size + " more)") +
           ". Lower the batch size (try " + std::to_string(std::max(1, config.batchSize / 2)) +
           "), freeze more blocks, or choose a smaller architecture.";
}

} // namespace graft
