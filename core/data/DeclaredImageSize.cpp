#include "data/DeclaredImageSize.h"

#include <cctype>
#include <csetjmp>
#include <cstdio> // jpeglib.h needs FILE
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

#include <jpeglib.h>

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

// jpeg_error_mgr first, so the pointer libjpeg hands its error handler is this struct's too.
struct JpegErrorJump {
    jpeg_error_mgr manager;
    std::jmp_buf jump;
};

// The frame size as libjpeg, which OpenCV decodes JPEGs with, reads it: its marker parser skips
// garbage between segments and odd lengths in ways two hand-written walks missed, each time
// hiding a frame of hundreds of megapixels from the limit (found by fuzzing). Reads only the
// headers; nothing the size of the image is allocated.
std::optional<DeclaredSize> jpegSize(std::span<const std::uint8_t> bytes) {
    jpeg_decompress_struct info{};
    JpegErrorJump errors{};
    info.err = jpeg_std_error(&errors.manager);
    errors.manager.error_exit = [](j_common_ptr common) { std::longjmp(reinterpret_cast<JpegErrorJump*>(common->err)->jump, 1); };
    errors.manager.output_message = [](j_common_ptr) {}; // the decoder reports what matters
    if (setjmp(errors.jump)) { // a header libjpeg refuses: the decoder will refuse it too
        jpeg_destroy_decompress(&info);
        return std::nullopt;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, bytes.data(), static_cast<unsigned long>(bytes.size()));
    const bool read = jpeg_read_header(&info, TRUE) == JPEG_HEADER_OK;
    const DeclaredSize size{info.image_width, info.image_height};
    jpeg_destroy_decompress(&info);
    if (!read) return std::nullopt;
    return size;
}

// A SHORT or LONG entry of a TIFF's first directory, in the file's byte order: the directory
// OpenCV's TIFF reader decodes, and the one EXIF keeps its orientation in.
std::optional<std::uint32_t> firstDirectoryValue(std::span<const std::uint8_t> tiff, std::uint16_t tag) {
    if (tiff.size() < 8) return std::nullopt;
    const bool little = startsWith(tiff, "II");
    if (!little && !startsWith(tiff, "MM")) return std::nullopt;
    const auto read = [&](std::size_t at, int count) {
        return little ? littleEndian(tiff, at, count) : bigEndian(tiff, at, count);
    };
    const std::size_t directory = read(4, 4);
    if (directory + 2 > tiff.size()) return std::nullopt;
    const std::size_t entries = read(directory, 2);
    for (std::size_t i = 0; i < entries; ++i) {
        const std::size_t entry = directory + 2 + 12 * i;
        if (entry + 12 > tiff.size()) return std::nullopt;
        if (read(entry, 2) != tag) continue;
        const auto type = read(entry + 2, 2);
        if (type == 3) return read(entry + 8, 2); // SHORT, left-justified in the value field
        if (type == 4) return read(entry + 8, 4); // LONG
        return std::nullopt;
    }
    return std::nullopt;
}

// Width then height as OpenCV's PNM reader reads them: each after whitespace and '#' comments
// that run to the end of their line, and each taking the byte after its digits with it.
std::optional<DeclaredSize> pnmSize(std::span<const std::uint8_t> bytes) {
    std::size_t at = 2;
    const auto number = [&]() -> std::optional<std::int64_t> {
        while (at < bytes.size() && !std::isdigit(bytes[at])) {
            if (bytes[at] == '#')
                while (at < bytes.size() && bytes[at] != '\n' && bytes[at] != '\r') ++at;
            else if (!std::isspace(bytes[at]))
                return std::nullopt;
            ++at;
        }
        std::int64_t value = 0;
        const std::size_t first = at;
        for (; at < bytes.size() && std::isdigit(bytes[at]); ++at)
            if ((value = value * 10 + (bytes[at] - '0')) > std::numeric_limits<std::int32_t>::max()) return std::nullopt;
        if (at == first) return std::nullopt;
        ++at; // whatever that byte is: "888888\xC9" then "888/" is 888888 x 888 to OpenCV (found by fuzzing in CI)
        return value;
    };
    const auto width = number();
    const auto height = number();
    if (!width || !height) return std::nullopt;
    return DeclaredSize{*width, *height};
}

} // namespace

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
        {
            const auto orientation = firstDirectoryValue(encoded.subspan(at + 10, length - 8), 0x0112);
            return orientation && *orientation >= 1 && *orientation <= 8 ? int(*orientation) : 1;
        }
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
    if (startsWith(encoded, std::string_view("II*\0", 4)) || startsWith(encoded, std::string_view("MM\0*", 4))) {
        const auto width = firstDirectoryValue(encoded, 256), height = firstDirectoryValue(encoded, 257);
        if (width && height) return DeclaredSize{*width, *height};
        return std::nullopt;
    }
    if (encoded.size() >= 3 && encoded[0] == 'P' && encoded[1] >= '1' && encoded[1] <= '6') return pnmSize(encoded);
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
