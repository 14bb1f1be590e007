#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace graft {

struct DeclaredSize {
    std::int64_t width = 0;
    std::int64_t height = 0;
};

// The width and height a PNG, JPEG, BMP, TIFF, PNM or WebP header declares, read without decoding, so a
// decompression bomb (a small file that claims billions of pixels) is refused before anything is
// allocated. Empty for other formats and for headers too short to say.
std::optional<DeclaredSize> declaredImageSize(std::span<const std::uint8_t> encoded);

// A JPEG's EXIF orientation tag (1-8; 1 when it has none). 5-8 turn the image a quarter, so the
// width and height shown are the stored ones swapped; OpenCV's decoders apply it.
int declaredExifOrientation(std::span<const std::uint8_t> encoded);

// The most pixels an image may declare: $GRAFT_MAX_IMAGE_PIXELS when set to a positive number,
// else 178,956,970 (Pillow's limit, about 13,000 x 13,000).
std::int64_t imagePixelLimit();

} // namespace graft
