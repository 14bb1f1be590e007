#include "data/DeclaredImageSize.h"

#include <cstdlib>
#include <string>

namespace graft {
namespace {

std::uint32_t bigEndian(std::span<const std::uint8_t> bytes, std::size_t at, int count) {
    std::uint32_t value = 0;
    for (int i = 0; i < count; ++i) value = value << 8 | bytes[at + std::size_t(i)];
    return value;
}

std::uint32_t littleEndian(std::span<const std::uint8_t> bytes, std::size_t at, int count) {
    std::uint32_t value = 0;
    for (int i = count - 1; i >= 0; --i) value = value << 8 | bytes[at + std::size_t(i)];
    return value;
}

bool startsWith(std::span<const std::uint8_t> bytes, std::string_view magic, std::size_t at = 0) {
    if (bytes.size() < at + magic.size()) return false;
    for (std::size_t i = 0; i < magic.size(); ++i)
        if (bytes[at + i] != std::uint8_t(magic[i])) return false;
    return true;
}

// Walks the markers up to the first start-of-frame (SOF0-SOF15 except DHT, JPG and DAC).
std::optional<DeclaredSize> jpegSize(std::span<const std::uint8_t> bytes) {
    std::size_t at = 2;
    while (at + 4 <= bytes.size()) {
        if (bytes[at] != 0xFF) return std::nullopt;
        const std::uint8_t marker = bytes[at + 1];
        if (marker == 0xFF) { // fill byte
            ++at;
            continue;
        }
        if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) { // no length
            at += 2;
            continue;
        }
        const std::size_t length = bigEndian(bytes, at + 2, 2);
        const bool frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (frame) {
            if (at + 9 > bytes.size()) return std::nullopt;
            return DeclaredSize{bigEndian(bytes, at + 7, 2), bigEndian(bytes, at + 5, 2)};
        }
        if (length < 2) return std::nullopt;
        at += 2 + length;
    }
    return std::nullopt;
}

} // namespace

std::optional<DeclaredSize> declaredImageSize(std::span<const std::uint8_t> encoded) {
    if (startsWith(encoded, "\x89PNG\r\n\x1A\n") && startsWith(encoded, "IHDR", 12) && encoded.size() >= 24)
        return DeclaredSize{bigEndian(encoded, 16, 4), bigEndian(encoded, 20, 4)};
    if (startsWith(encoded, "\xFF\xD8")) return jpegSize(encoded);
    if (startsWith(encoded, "BM") && encoded.size() >= 26) {
        const auto height = std::int32_t(littleEndian(encoded, 22, 4)); // negative: stored top-down
        return DeclaredSize{std::int32_t(littleEndian(encoded, 18, 4)), height < 0 ? -std::int64_t(height) : height};
    }
    if (startsWith(encoded, "RIFF") && startsWith(encoded, "WEBP", 8) && encoded.size() >= 30) {
        if (startsWith(encoded, "VP8X", 12)) // the canvas, 24-bit fields holding size - 1
            return DeclaredSize{std::int64_t(littleEndian(encoded, 24, 3)) + 1, std::int64_t(littleEndian(encoded, 27, 3)) + 1};
        if (startsWith(encoded, "VP8 ", 12)) // lossy: 14-bit fields after the frame tag
            return DeclaredSize{littleEndian(encoded, 26, 2) & 0x3FFF, littleEndian(encoded, 28, 2) & 0x3FFF};
        if (startsWith(encoded, "VP8L", 12) && encoded.size() >= 25) { // lossless: 14-bit fields holding size - 1
            const std::uint32_t bits = littleEndian(encoded, 21, 4);
            return DeclaredSize{std::int64_t(bits & 0x3FFF) + 1, std::int64_t(bits >> 14 & 0x3FFF) + 1};
        }
    }
    return std::nullopt;
}

std::int64_t imagePixelLimit() {
    constexpr std::int64_t kDefault = 178'956'970;
    if (const char* text = std::getenv("GRAFT_MAX_IMAGE_PIXELS"); text && *text) {
        char* end = nullptr;
        const long long value = std::strtoll(text, &end, 10);
        if (end && *end == '\0' && value > 0) return value;
    }
    return kDefault;
}

} // namespace graft
