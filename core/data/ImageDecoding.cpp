#include "data/ImageDecoding.h"

#include "data/DeclaredImageSize.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>

namespace graft {

bool hasImageSignature(std::span<const std::uint8_t> encoded) {
    const auto startsWith = [&](std::string_view magic, std::size_t offset = 0) {
        if (encoded.size() < offset + magic.size()) return false;
        return std::equal(magic.begin(), magic.end(), encoded.begin() + std::ptrdiff_t(offset),
                          [](char a, std::uint8_t b) { return static_cast<std::uint8_t>(a) == b; });
    };
    // OpenCV's PNM reader also wants whitespace after the digit; "P1" followed by anything else
    // falls through to later decoders, GDCM's among them (found by fuzzing).
    const bool pnm = encoded.size() >= 3 && encoded[0] == 'P' && encoded[1] >= '1' && encoded[1] <= '6' &&
                     std::isspace(encoded[2]);
    return startsWith("\xFF\xD8\xFF") || startsWith("\x89PNG\r\n\x1A\n") || startsWith("BM") ||
           startsWith(std::string_view("II*\0", 4)) || startsWith(std::string_view("MM\0*", 4)) ||
           (startsWith("RIFF") && startsWith("WEBP", 8)) || pnm;
}
namespace {

// Where the next marker (0xFF and a marker code) starts, from `at` on; bytes.size() when none
// follows. As libjpeg does, it skips what lies between segments, stuffed 0xFF 0x00 pairs and fill bytes.
std::size_t nextJpegMarker(std::span<const std::uint8_t> bytes, std::size_t at) {
    for (; at + 1 < bytes.size(); ++at)
        if (bytes[at] == 0xFF && bytes[at + 1] != 0x00 && bytes[at + 1] != 0xFF) return at;
    return bytes.size();
}

// libjpeg decodes a cut-off JPEG with a warning and fills the missing rows with grey, which
// OpenCV returns as a good image. Complete files reach the end-of-image marker after their last
// scan; the entropy-coded data in between holds 0xFF only as stuffed 0xFF 0x00, fill bytes or
// restart markers, which nextJpegMarker and the loop step over.
bool jpegReachesEndOfImage(std::span<const std::uint8_t> bytes) {
    std::size_t at = 2;
    while ((at = nextJpegMarker(bytes, at)) + 1 < bytes.size()) {
        const std::uint8_t marker = bytes[at + 1];
        if (marker == 0xD9) return true;
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
            at += 2;
            continue;
        }
        if (at + 4 > bytes.size()) return false;
        // libjpeg takes a length below 2 as covering only itself
        at += 2 + std::max<std::size_t>(2, std::size_t(bytes[at + 2]) << 8 | bytes[at + 3]);
    }
    return false;
}

cv::Mat decodeOrThrow(std::span<const std::uint8_t> encoded, int flags) {
    if (encoded.empty()) throw ImageDecodeError("empty file");
    // OpenCV tries every decoder it was built with; GDCM's DICOM reader aborts the process on
    // malformed bytes (found by fuzzing). Only the formats Graft imports reach imdecode.
    if (!hasImageSignature(encoded))
        throw ImageDecodeError("not an image Graft reads (JPEG, PNG, BMP, TIFF, WebP or PNM)");
    // WebP's own header check can still refuse what the signature accepted; DICOM's marker sits
    // at byte 128, so bytes carrying it never reach imdecode whatever their first bytes say.
    if (encoded.size() >= 132 && std::memcmp(encoded.data() + 128, "DICM", 4) == 0)
        throw ImageDecodeError("not an image Graft reads: a DICOM file (export its images as PNG first)");
    if (const auto size = declaredImageSize(encoded)) {
        const std::int64_t limit = imagePixelLimit();
        // Declared sizes reach 2^32 a side, whose product overflows (found by fuzzing).
        std::int64_t pixels = 0;
        if (__builtin_mul_overflow(std::int64_t(size->width), std::int64_t(size->height), &pixels) || pixels > limit)
            throw ImageDecodeError("declares " + std::to_string(size->width) + " x " + std::to_string(size->height) +
                                   " pixels, more than the limit of " + std::to_string(limit) +
                                   " (set GRAFT_MAX_IMAGE_PIXELS to allow larger images)");
    }
    if (encoded.size() >= 2 && encoded[0] == 0xFF && encoded[1] == 0xD8 && !jpegReachesEndOfImage(encoded))
        throw ImageDecodeError("truncated JPEG: the file ends before its image data does");
    const cv::Mat buffer(1, int(encoded.size()), CV_8UC1, const_cast<std::uint8_t*>(encoded.data()));
    cv::Mat image;
    try {
        image = cv::imdecode(buffer, flags);
    } catch (const cv::Exception& error) {
        throw ImageDecodeError(std::string("cannot decode image: ") + error.what());
    }
    if (image.empty()) throw ImageDecodeError("not a decodable image (corrupt or unsupported format)");
    return image;
}

} // namespace

std::vector<std::uint8_t> readFileBytes(const std::filesystem::path& path) {
    // A folder opens as a stream too, and reports a size near 2^63 (found by fuzzing the CSV importer).
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) throw ImageDecodeError(path.string() + ": is a folder, not a file");
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    if (!file) throw ImageDecodeError(path.string() + ": cannot be read (" + std::strerror(errno) + ")");
    const auto size = std::streamsize(file.tellg());
    if (size < 0) throw ImageDecodeError(path.string() + ": cannot be read (its size is unknown)");
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
    file.seekg(0);
    if (!file.read(reinterpret_cast<char*>(bytes.data()), size))
        throw ImageDecodeError(path.string() + ": read failed");
    return bytes;
}

ImageShape probeImage(std::span<const std::uint8_t> encoded) {
    // IMREAD_UNCHANGED keeps alpha and 16 bits but ignores EXIF orientation, which decodeImage
    // applies: swap here too, so the size recorded is the size shown and trained on.
    const cv::Mat image = decodeOrThrow(encoded, cv::IMREAD_UNCHANGED);
    if (declaredExifOrientation(encoded) >= 5) return {image.rows, image.cols, image.channels()};
    return {image.cols, image.rows, image.channels()};
}

cv::Mat decodeImage(std::span<const std::uint8_t> encoded, ColorMode mode) {
    if (mode == ColorMode::Gray) return decodeOrThrow(encoded, cv::IMREAD_GRAYSCALE);
    cv::Mat rgb;
    cv::cvtColor(decodeOrThrow(encoded, cv::IMREAD_COLOR), rgb, cv::COLOR_BGR2RGB);
    return rgb;
}

} // namespace graft
