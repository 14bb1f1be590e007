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
        {".png", {}}, {".jpg", {}}, {".bmp", {}}, {".webp", {cv::IMWRITE_WEBP_QUALITY, 80}}, {".webp", {cv::IMWRITE_WEBP_QUALITY, 101}}};
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
    for (const auto* bomb : {&png, &jpeg}) {
        const auto message = testing::errorOf([&] { decodeImage(*bomb, ColorMode::Rgb); });
        EXPECT_NE(message.find("20000 x 20000"), std::string::npos) << message;
        EXPECT_NE(message.find("GRAFT_MAX_IMAGE_PIXELS"), std::string::npos) << message;
        EXPECT_THROW(probeImage(*bomb), ImageDecodeError);
    }
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

} // namespace
} // namespace graft
