// Graft's image decode wrapper (header checks, the pixel limit, then OpenCV) on hostile bytes:
// every bad file must end in an ImageDecodeError, never a crash or an unbounded allocation.
#include "data/ImageDecoding.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // Small enough that a declared size under the limit still decodes within the fuzzer's RSS limit.
    setenv("GRAFT_MAX_IMAGE_PIXELS", "4000000", 1);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    try {
        graft::probeImage(bytes);
        graft::decodeImage(bytes, size % 2 ? graft::ColorMode::Gray : graft::ColorMode::Rgb);
    } catch (const graft::ImageDecodeError&) {
    }
    return 0;
}
