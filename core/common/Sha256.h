#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace graft {

// Images are content-addressed by the SHA-256 of their encoded bytes.
std::string sha256Hex(std::span<const std::uint8_t> bytes);

// Throws graft::Error naming the file when it cannot be read.
std::string fileSha256Hex(const std::filesystem::path& path);

// `expected` is a full digest or, as torchvision publishes in file names, at least its first 8
// hex digits (what torch.hub verifies).
bool sha256Matches(const std::string& actual, const std::string& expected);

} // namespace graft
