#include "common/AtomicFile.h"

#include "common/Error.h"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace graft {

void writeFileAtomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
    writeFileAtomically(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

void writeFileAtomically(const std::filesystem::path& path, std::string_view text) {
    const auto temporary = std::filesystem::path(path.string() + ".partial");
    std::string failure;
    {
        std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
        file.write(text.data(), std::streamsize(text.size()));
        if (!file.flush()) failure = std::strerror(errno);
    }
    std::error_code error;
    if (failure.empty()) {
        std::filesystem::rename(temporary, path, error);
        if (error) failure = error.message();
    }
    if (!failure.empty()) {
        std::filesystem::remove(temporary, error);
        throw Error(path.string() + ": cannot be written (" + failure + ")");
    }
}

} // namespace graft
