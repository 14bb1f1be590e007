#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace graft {

struct DeclaredSize {
    std::int64_t width = 0;
    std::int64_t height = 0;
};

// The width and height a PNG, JPEG, BMP or WebP header declares, read without decoding, so a
// decompression bomb (a small file that claims billions of pixels) is refused before anything is
// allocated. Empty for other formats and for headers too short to say.
std::optional<DeclaredSize> declaredImageSize(std::span<const std::uint8_t> encoded);

// Where the next JPEG marker (0xFF and a marker code) starts, from `at` on; bytes.size() when none
// follows. Like libjpeg, it skips whatever lies between segments, stuffed 0xFF 0x00 pairs and fill
// bytes, so Graft's header checks find the markers libjpeg decodes (garbage before a frame header
// once hid a 386-megapixel frame from the pixel limit; found by fuzzing).
std::size_t nextJpegMarker(std::span<const std::uint8_t> bytes, std::size_t at);

// A JPEG's EXIF orientation tag (1-8; 1 when it has none). 5-8 turn the image a quarter, so the
// width and height shown are the stored ones swapped; OpenCV's decoders apply it.
int declaredExifOrientation(std::span<const std::uint8_t> encoded);

// The most pixels an image may declare: $GRAFT_MAX_IMAGE_PIXELS when set to a positive number,
// else 178,956,970 (Pillow's limit, about 13,000 x 13,000).
std::int64_t imagePixelLimit();

} // namespace graft
