#pragma once

#include <array>
#include <cstdlib>
#include <cstdio>
#include <jpeglib.h>
#include <string>
#include <vector>

namespace graft::testing {

// A `size` x `size` JPEG of one CMYK colour, as print workflows save photos; written with libjpeg,
// which marks it Adobe (inverted) CMYK, since OpenCV cannot encode CMYK.
inline std::string cmykJpeg(std::array<unsigned char, 4> cmyk, int size = 8) {
    jpeg_compress_struct compress{};
    jpeg_error_mgr errors{};
    compress.err = jpeg_std_error(&errors);
    jpeg_create_compress(&compress);
    unsigned char* buffer = nullptr;
    unsigned long length = 0;
    jpeg_mem_dest(&compress, &buffer, &length);
    compress.image_width = JDIMENSION(size);
    compress.image_height = JDIMENSION(size);
    compress.input_components = 4;
    compress.in_color_space = JCS_CMYK;
    jpeg_set_defaults(&compress);
    jpeg_set_quality(&compress, 95, TRUE);
    jpeg_start_compress(&compress, TRUE);
    std::vector<unsigned char> row;
    for (int x = 0; x < size; ++x) row.insert(row.end(), cmyk.begin(), cmyk.end());
    while (compress.next_scanline < compress.image_height) {
        JSAMPROW rows[] = {row.data()};
        jpeg_write_scanlines(&compress, rows, 1);
    }
    jpeg_finish_compress(&compress);
    std::string bytes(reinterpret_cast<const char*>(buffer), length);
    jpeg_destroy_compress(&compress);
    std::free(buffer);
    return bytes;
}

} // namespace graft::testing
