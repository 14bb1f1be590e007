#include "data/ImageDecoding.h"
#include "data/Preprocess.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

namespace graft {
namespace {

std::vector<std::uint8_t> encode(const cv::Mat& image) {
    std::vector<std::uint8_t> bytes;
    cv::imencode(".png", image, bytes);
    return bytes;
}

TEST(ImageDecoding, RgbModeReturnsRedFirst) {
    const cv::Mat bgrRed(2, 2, CV_8UC3, cv::Scalar(0, 0, 255));
    const cv::Mat rgb = decodeImage(encode(bgrRed), ColorMode::Rgb);
    EXPECT_EQ(rgb.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 0, 0));
}

TEST(ImageDecoding, GrayModeConvertsColourImagesByLuminance) {
    // RGB images feed greyscale backbones as ITU-R 601 luminance, like PIL's convert("L") (OpenCV's
    // fixed-point rounding may differ from PIL's by one level).
    const cv::Mat bgrRed(2, 2, CV_8UC3, cv::Scalar(0, 0, 255)), bgrGreen(2, 2, CV_8UC3, cv::Scalar(0, 255, 0));
    const cv::Mat red = decodeImage(encode(bgrRed), ColorMode::Gray), green = decodeImage(encode(bgrGreen), ColorMode::Gray);
    ASSERT_EQ(red.channels(), 1);
    EXPECT_NEAR(red.at<std::uint8_t>(0, 0), 76, 1);    // 0.299 * 255
    EXPECT_NEAR(green.at<std::uint8_t>(0, 0), 150, 1); // 0.587 * 255
}

TEST(ImageDecoding, ProbeReportsShapeAndRejectsGarbage) {
    const auto shape = probeImage(encode(cv::Mat(5, 7, CV_8UC3, cv::Scalar::all(1))));
    EXPECT_EQ(shape.width, 7);
    EXPECT_EQ(shape.height, 5);
    EXPECT_EQ(shape.channels, 3);
    const std::vector<std::uint8_t> garbage(100, 7);
    EXPECT_THROW(probeImage(garbage), ImageDecodeError);
    EXPECT_THROW(probeImage({}), ImageDecodeError);
}

TEST(Preprocess, ResizesShorterSideThenCropsTheCentreAndNormalises) {
    // 40 wide x 20 high: left half black, right half white, with a 10 px grey band in the middle.
    cv::Mat image(20, 40, CV_8UC1, cv::Scalar(0));
    image(cv::Rect(20, 0, 20, 20)).setTo(255);
    image(cv::Rect(15, 0, 10, 20)).setTo(102);
    PreprocessSpec spec;
    spec.resizeShorter = 10; // -> 20 x 10
    spec.crop = 10;          // keeps columns 5..14 of the resized image
    spec.mean = {0.4f, 0, 0};
    spec.std = {0.5f, 1, 1};
    const torch::Tensor out = preprocessForEval(image, spec);
    ASSERT_EQ(out.sizes(), torch::IntArrayRef({1, 10, 10}));
    ASSERT_EQ(out.scalar_type(), torch::kFloat32);
    // The crop is the grey band: (102/255 - 0.4) / 0.5 = 0.
    EXPECT_NEAR(out[0][5][4].item<float>(), 0.0f, 1e-6);
    EXPECT_NEAR(out[0][5][5].item<float>(), 0.0f, 1e-6);
    // Left of the band is black, right of it white.
    EXPECT_LT(out[0][5][0].item<float>(), out[0][5][9].item<float>());
}

TEST(Preprocess, AnotherCropScalesTheResizeInProportion) {
    PreprocessSpec imageNet;
    imageNet.resizeShorter = 256;
    imageNet.crop = 224;
    imageNet.interpolation = Interpolation::Bicubic;
    const auto smaller = imageNet.atCrop(160);
    EXPECT_EQ(smaller.crop, 160);
    EXPECT_EQ(smaller.resizeShorter, 183); // 256 * 160 / 224 = 182.9
    EXPECT_EQ(smaller.interpolation, Interpolation::Bicubic);
    EXPECT_EQ(imageNet.atCrop(128).resizeShorter, 146); // 146.3
    PreprocessSpec tiny; // 28 -> 28
    EXPECT_EQ(tiny.atCrop(40).resizeShorter, 40);
}

TEST(Preprocess, PixelsKeptAsBytesAndNormalisedInABatchEqualTheFloatsBitForBit) {
    PreprocessSpec spec;
    spec.color = ColorMode::Rgb;
    spec.resizeShorter = 37; // shrinks (antialiased) the 60 px images, leaves the 37 px one as it is
    spec.crop = 32;
    spec.mean = {0.485f, 0.456f, 0.406f};
    spec.std = {0.229f, 0.224f, 0.225f};
    std::vector<cv::Mat> images;
    std::vector<torch::Tensor> pixels, floats;
    for (const int size : {60, 37, 60}) {
        cv::Mat image(size, size + 9, CV_8UC3);
        cv::randu(image, 0, 256);
        pixels.push_back(pixelsForEval(image, spec));
        floats.push_back(preprocessForEval(image, spec));
        image.setTo(0); // the pixels are a copy, not a view of the decoded image
    }
    const auto batch = torch::stack(pixels);
    ASSERT_EQ(batch.scalar_type(), torch::kUInt8);
    ASSERT_EQ(batch.sizes(), torch::IntArrayRef({3, 3, 32, 32}));
    EXPECT_TRUE(torch::equal(normalisedPixels(batch, spec), torch::stack(floats)));
    EXPECT_GT(batch.to(torch::kFloat32).sum().item<float>(), 0.0f);
}

TEST(Preprocess, RefusesACropLargerThanTheResizedImage) {
    PreprocessSpec spec;
    spec.resizeShorter = 20;
    spec.crop = 24;
    EXPECT_THROW(preprocessForEval(cv::Mat(30, 30, CV_8UC1, cv::Scalar(0)), spec), Error);
}

} // namespace
} // namespace graft
