#include "data/DeclaredImageSize.h"
#include "data/ImageDecoding.h"

#include "ErrorText.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <cstdlib>
#include <string>
#include <vector>

namespace graft {
namespace {

std::vector<std::uint8_t> encoded(const std::string& extension, std::vector<int> parameters = {}) {
    cv::Mat image(23, 37, CV_8UC3, cv::Scalar(10, 120, 240));
    std::vector<std::uint8_t> bytes;
    EXPECT_TRUE(cv::imencode(extension, image, bytes, parameters)) << extension;
    return bytes;
}

void writeBigEndian(std::vector<std::uint8_t>& bytes, std::size_t at, std::uint32_t value, int count) {
    for (int i = count - 1; i >= 0; --i, value >>= 8) bytes[at + std::size_t(i)] = std::uint8_t(value & 0xFF);
}

TEST(DeclaredImageSize, ReadsTheSizeEachFormatsHeaderDeclaresAsOpenCvDecodesIt) {
    const std::pair<std::string, std::vector<int>> formats[] = {
        {".png", {}}, {".jpg", {}}, {".bmp", {}}, {".tiff", {}}, {".ppm", {}}, {".ppm", {cv::IMWRITE_PXM_BINARY, 0}},
        {".webp", {cv::IMWRITE_WEBP_QUALITY, 80}}, {".webp", {cv::IMWRITE_WEBP_QUALITY, 101}}};
    for (const auto& [extension, parameters] : formats) {
        const auto bytes = encoded(extension, parameters);
        const cv::Mat decoded = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
        const auto size = declaredImageSize(bytes);
        ASSERT_TRUE(size.has_value()) << extension;
        EXPECT_EQ(size->width, decoded.cols) << extension;
        EXPECT_EQ(size->height, decoded.rows) << extension;
    }
    const std::string text = "width,height\n37,23\n";
    EXPECT_FALSE(declaredImageSize({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}).has_value());
}

// A few hundred bytes that claim 20,000 x 20,000 pixels: OpenCV's own limit (2^30) lets it
// through and would allocate 1.2 GB before finding the data missing.
TEST(DeclaredImageSize, ADecompressionBombIsRefusedBeforeDecodingWithTheLimitNamed) {
    auto png = encoded(".png");
    writeBigEndian(png, 16, 20000, 4);
    writeBigEndian(png, 20, 20000, 4);
    auto jpeg = encoded(".jpg");
    std::size_t frame = 2; // find SOF0
    while (!(jpeg[frame] == 0xFF && jpeg[frame + 1] == 0xC0)) frame += 2 + (std::size_t(jpeg[frame + 2]) << 8 | jpeg[frame + 3]);
    writeBigEndian(jpeg, frame + 5, 20000, 2);
    writeBigEndian(jpeg, frame + 7, 20000, 2);
    auto tiff = encoded(".tiff"); // OpenCV writes little-endian TIFF
    const std::size_t directory = tiff[4] | tiff[5] << 8 | tiff[6] << 16 | std::size_t(tiff[7]) << 24;
    for (std::size_t entry = directory + 2; entry < directory + 2 + 12 * std::size_t(tiff[directory]); entry += 12)
        if (const int tag = tiff[entry] | tiff[entry + 1] << 8; tag == 256 || tag == 257) tiff[entry + 8] = 0x20, tiff[entry + 9] = 0x4E;
    const std::string header = "P6\n# made by hand\n20000 20000\n255\n";
    std::vector<std::uint8_t> pnm(header.begin(), header.end());
    pnm.resize(pnm.size() + 300, 0x80);
    for (const auto* bomb : {&png, &jpeg, &tiff, &pnm}) {
        const auto message = testing::errorOf([&] { decodeImage(*bomb, ColorMode::Rgb); });
        EXPECT_NE(message.find("20000 x 20000"), std::string::npos) << message;
        EXPECT_NE(message.find("GRAFT_MAX_IMAGE_PIXELS"), std::string::npos) << message;
        EXPECT_THROW(probeImage(*bomb), ImageDecodeError);
    }
}

// Found by fuzzing in CI: libjpeg skips bytes between segments ("extraneous bytes before marker")
// and takes a segment length below 2 as covering only itself; a hand-written marker walk did
// neither, so either hid the frame header from the pixel limit.
TEST(DeclaredImageSize, WhatLibjpegSkipsBeforeAJpegFrameHeaderDoesNotHideItsSize) {
    const std::vector<std::uint8_t> garbage = {0x00, 0x06, 0xFF, 0x00, 0x00, 0xFF, 0xFF};
    const std::vector<std::uint8_t> emptySegment = {0xFF, 0xE1, 0x00, 0x00};
    for (const auto& [hider, beforeFrame] : {std::pair{garbage, true}, std::pair{emptySegment, false}}) {
        auto jpeg = encoded(".jpg");
        std::size_t frame = 2;
        while (!(jpeg[frame] == 0xFF && jpeg[frame + 1] == 0xC0)) frame += 2 + (std::size_t(jpeg[frame + 2]) << 8 | jpeg[frame + 3]);
        jpeg.insert(jpeg.begin() + std::ptrdiff_t(beforeFrame ? frame : 2), hider.begin(), hider.end());
        frame += hider.size();
        const cv::Mat decoded = cv::imdecode(jpeg, cv::IMREAD_UNCHANGED);
        ASSERT_EQ(decoded.cols, 37) << "libjpeg decodes past it";
        const auto size = declaredImageSize(jpeg);
        ASSERT_TRUE(size.has_value());
        EXPECT_EQ(size->width, 37);
        EXPECT_EQ(size->height, 23);
        EXPECT_EQ(probeImage(jpeg).width, 37) << "not taken for a truncated JPEG";
        writeBigEndian(jpeg, frame + 5, 20000, 2);
        writeBigEndian(jpeg, frame + 7, 20000, 2);
        const auto message = testing::errorOf([&] { probeImage(jpeg); });
        EXPECT_NE(message.find("20000 x 20000"), std::string::npos) << message;
    }
}

// Found by fuzzing: width x height overflowed 64 bits and wrapped below the limit.
TEST(DeclaredImageSize, SidesNearTwoToThe32AreRefusedAsTooLargeNotWrappedAround) {
    auto png = encoded(".png");
    writeBigEndian(png, 16, 0xFFFFFFFF, 4);
    writeBigEndian(png, 20, 0xFFFFFF3B, 4);
    const auto message = testing::errorOf([&] { decodeImage(png, ColorMode::Rgb); });
    EXPECT_NE(message.find("4294967295 x 4294967099"), std::string::npos) << message;
    EXPECT_NE(message.find("more than the limit"), std::string::npos) << message;
}

// Found by fuzzing: "DICM" at byte 128 sent these bytes to GDCM, whose assertion aborted the process.
TEST(DeclaredImageSize, BytesThatLookLikeDicomAreRefusedWithoutReachingOpenCv) {
    std::vector<std::uint8_t> dicom(140, 0xFF);
    for (std::size_t i = 0; i < 4; ++i) dicom[128 + i] = std::uint8_t("DICM"[i]);
    const auto message = testing::errorOf([&] { probeImage(dicom); });
    EXPECT_NE(message.find("not an image Graft reads"), std::string::npos) << message;
}

// Found by fuzzing in CI: "P1" without the whitespace OpenCV's PNM reader wants, and "DICM" at
// byte 128, went past the PNM reader to GDCM, which aborted.
TEST(DeclaredImageSize, PnmLookalikesCarryingTheDicomMarkerAreRefusedWithoutReachingOpenCv) {
    std::vector<std::uint8_t> bytes(135, 0xFF);
    bytes[0] = 'P', bytes[1] = '1';
    for (std::size_t i = 0; i < 4; ++i) bytes[128 + i] = std::uint8_t("DICM"[i]);
    EXPECT_FALSE(hasImageSignature(bytes));
    EXPECT_NE(testing::errorOf([&] { probeImage(bytes); }).find("not an image Graft reads"), std::string::npos);
    bytes[2] = '\n'; // a real PNM signature, still carrying the marker
    EXPECT_TRUE(hasImageSignature(bytes));
    const auto message = testing::errorOf([&] { probeImage(bytes); });
    EXPECT_NE(message.find("DICOM"), std::string::npos) << message;
}

// Found by fuzzing in CI: OpenCV's PNM reader takes the byte after a number's digits with the
// number, whatever it is, so "P3\f888888\xC9888/" declares 888888 x 888 pixels (2.4 GB to
// allocate); Graft's header check stopped at the 0xC9 and let it through unchecked.
TEST(DeclaredImageSize, APnmNumberEndedByAnyByteIsReadAsOpenCvReadsIt) {
    for (const char end : {'\xC9', '/', 'x'}) {
        std::string text = std::string("P5\n37") + end + "23" + end + "255\n";
        std::vector<std::uint8_t> pnm(text.begin(), text.end());
        pnm.resize(pnm.size() + 37 * 23, 0x80);
        const cv::Mat decoded = cv::imdecode(pnm, cv::IMREAD_UNCHANGED);
        ASSERT_EQ(decoded.cols, 37) << "OpenCV reads past byte " << int(std::uint8_t(end));
        ASSERT_EQ(decoded.rows, 23);
        const auto size = declaredImageSize(pnm);
        ASSERT_TRUE(size.has_value()) << "byte " << int(std::uint8_t(end));
        EXPECT_EQ(size->width, 37);
        EXPECT_EQ(size->height, 23);
    }
    const std::string bomb = "P3\f888888\xC9" "888/86\f\x7F";
    const auto message = testing::errorOf([&] { probeImage({reinterpret_cast<const std::uint8_t*>(bomb.data()), bomb.size()}); });
    EXPECT_NE(message.find("888888 x 888"), std::string::npos) << message;
}

TEST(DeclaredImageSize, ThePixelLimitComesFromTheEnvironment) {
    const auto png = encoded(".png"); // 37 x 23 = 851 pixels
    setenv("GRAFT_MAX_IMAGE_PIXELS", "850", 1);
    EXPECT_THROW(decodeImage(png, ColorMode::Rgb), ImageDecodeError);
    setenv("GRAFT_MAX_IMAGE_PIXELS", "851", 1);
    EXPECT_EQ(decodeImage(png, ColorMode::Rgb).cols, 37);
    setenv("GRAFT_MAX_IMAGE_PIXELS", "lots", 1);
    EXPECT_EQ(imagePixelLimit(), 178'956'970) << "a value that is not a number is ignored";
    unsetenv("GRAFT_MAX_IMAGE_PIXELS");
}

// A JPEG with an EXIF segment whose IFD0 holds only the orientation, in either byte order.
std::vector<std::uint8_t> rotatedJpeg(int orientation, bool littleEndian) {
    auto jpeg = encoded(".jpg"); // 37 x 23 as stored
    const auto u16 = [&](std::uint16_t v) {
        return littleEndian ? std::vector<std::uint8_t>{std::uint8_t(v), std::uint8_t(v >> 8)}
                            : std::vector<std::uint8_t>{std::uint8_t(v >> 8), std::uint8_t(v)};
    };
    const auto u32 = [&](std::uint32_t v) {
        auto low = u16(std::uint16_t(littleEndian ? v : v >> 16)), high = u16(std::uint16_t(littleEndian ? v >> 16 : v));
        low.insert(low.end(), high.begin(), high.end());
        return low;
    };
    std::vector<std::uint8_t> tiff = {std::uint8_t(littleEndian ? 'I' : 'M'), std::uint8_t(littleEndian ? 'I' : 'M')};
    for (const auto& part : {u16(42), u32(8), u16(1), u16(0x0112), u16(3), u32(1), u16(std::uint16_t(orientation)), u16(0), u32(0)})
        tiff.insert(tiff.end(), part.begin(), part.end());
    std::vector<std::uint8_t> segment = {0xFF, 0xE1, 0, std::uint8_t(2 + 6 + tiff.size()), 'E', 'x', 'i', 'f', 0, 0};
    segment.insert(segment.end(), tiff.begin(), tiff.end());
    jpeg.insert(jpeg.begin() + 2, segment.begin(), segment.end());
    return jpeg;
}

TEST(DeclaredImageSize, AnExifQuarterTurnSwapsTheProbedSizeAsOpenCvTurnsThePixels) {
    for (const bool little : {false, true}) {
        for (const int orientation : {1, 3, 6, 8}) {
            const auto jpeg = rotatedJpeg(orientation, little);
            EXPECT_EQ(declaredExifOrientation(jpeg), orientation) << orientation << (little ? " II" : " MM");
            const cv::Mat decoded = decodeImage(jpeg, ColorMode::Rgb); // OpenCV applies the orientation
            const auto shape = probeImage(jpeg);
            EXPECT_EQ(shape.width, decoded.cols) << orientation;
            EXPECT_EQ(shape.height, decoded.rows) << orientation;
            EXPECT_EQ(shape.width, orientation >= 5 ? 23 : 37) << orientation;
        }
    }
    EXPECT_EQ(declaredExifOrientation(encoded(".png")), 1);
}

} // namespace
} // namespace graft
