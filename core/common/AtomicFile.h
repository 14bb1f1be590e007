#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

namespace graft {

// Writes beside the target and renames over it, so a crash or a full disk leaves the old file (or
// none), never half of the new one. Throws graft::Error naming the file and the reason.
void writeFileAtomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);
void writeFileAtomically(const std::filesystem::path& path, std::string_view text);

} // namespace graft
