#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace graft {

// Images are content-addressed by the SHA-256 of their encoded bytes.
std::string sha256Hex(std::span<const std::uint8_t> bytes);

} // namespace graft
