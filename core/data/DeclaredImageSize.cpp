#include "data/DeclaredImageSize.h"

#include <cstdlib>
#include <string>
#include <string_view>

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
    while ((at = nextJpegMarker(bytes, at)) + 4 <= bytes.size()) {
        const std::uint8_t marker = bytes[at + 1];
        if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) { // no length
            at += 2;
            continue;
        }
        const bool frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (frame) {
            if (at + 9 > bytes.size()) return std::nullopt;
            return DeclaredSize{bigEndian(bytes, at + 7, 2), bigEndian(bytes, at + 5, 2)};
        }
        const std::size_t length = bigEndian(bytes, at + 2, 2);
        if (length < 2) return std::nullopt;
        at += 2 + length;
    }
    return std::nullopt;
}

// The orientation entry of IFD0 in an APP1 "Exif" segment's TIFF data, in its byte order.
int exifOrientation(std::span<const std::uint8_t> tiff) {
    if (tiff.size() < 8) return 1;
    const bool little = startsWith(tiff, "II");
    if (!little && !startsWith(tiff, "MM")) return 1;
    const auto read = [&](std::size_t at, int count) {
        return little ? littleEndian(tiff, at, count) : bigEndian(tiff, at, count);
    };
    const std::size_t ifd = read(4, 4);
    if (ifd + 2 > tiff.size()) return 1;
    const std::size_t entries = read(ifd, 2);
    for (std::size_t i = 0; i < entries; ++i) {
        const std::size_t entry = ifd + 2 + 12 * i;
        if (entry + 12 > tiff.size()) return 1;
        if (read(entry, 2) != 0x0112) continue;
        const auto orientation = int(read(entry + 8, 2)); // a SHORT, left-justified in the value field
        return orientation >= 1 && orientation <= 8 ? orientation : 1;
    }
    return 1;
}

} // namespace

std::size_t nextJpegMarker(std::span<const std::uint8_t> bytes, std::size_t at) {
    for (; at + 1 < bytes.size(); ++at)
        if (bytes[at] == 0xFF && bytes[at + 1] != 0x00 && bytes[at + 1] != 0xFF) return at;
    return bytes.size();
}

int declaredExifOrientation(std::span<const std::uint8_t> encoded) {
    if (!startsWith(encoded, "\xFF\xD8")) return 1;
    std::size_t at = 2;
    while (at + 4 <= encoded.size() && encoded[at] == 0xFF) {
        const std::uint8_t marker = encoded[at + 1];
        if (marker == 0xDA || (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC))
            return 1; // image data or the frame: EXIF comes before both
        const std::size_t length = bigEndian(encoded, at + 2, 2);
        if (length < 2 || at + 2 + length > encoded.size()) return 1;
        if (marker == 0xE1 && length >= 8 && startsWith(encoded, std::string_view("Exif\0\0", 6), at + 4))
            return exifOrientation(encoded.subspan(at + 10, length - 8));
        at += 2 + length;
    }
    return 1;
}

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
