#include "data/Augmentation.h"

#include "ErrorText.h"

#include <gtest/gtest.h>
#include <opencv2/core.hpp>

#include <vector>

namespace graft {
namespace {

PreprocessSpec rgbSpec(int size) {
    PreprocessSpec spec;
    spec.resizeShorter = spec.crop = size;
    spec.color = ColorMode::Rgb;
    spec.mean = {0, 0, 0};
    spec.std = {1, 1, 1};
    return spec;
}

// Columns run from dark (left) to bright (right); a red dot marks the top-left corner.
cv::Mat horizontalGradient(int width, int height) {
    cv::Mat image(height, width, CV_8UC3);
    for (int x = 0; x < width; ++x) image.col(x).setTo(cv::Scalar::all(x * 255 / (width - 1)));
    image.at<cv::Vec3b>(0, 0) = {255, 0, 0};
    return image;
}

std::vector<float> augmented(const cv::Mat& image, const PreprocessSpec& spec, const std::string& augment,
                             std::uint64_t seed) {
    std::vector<float> output(std::size_t(spec.channels() * spec.crop * spec.crop));
    augmentInto(image, spec, AugmentSpec::parse(augment), seed, output.data());
    return output;
}

TEST(Augmentation, WithNothingEnabledEqualsEvalPreprocessing) {
    const auto spec = rgbSpec(16);
    const cv::Mat image = horizontalGradient(16, 16);
    const auto expected = preprocessForEval(image, spec);
    const auto output = augmented(image, spec, "none", 1);
    ASSERT_EQ(std::int64_t(output.size()), expected.numel());
    for (std::size_t i = 0; i < output.size(); ++i) ASSERT_FLOAT_EQ(output[i], expected.data_ptr<float>()[i]) << i;
}

TEST(Augmentation, SameSeedGivesTheSameImageAndOtherSeedsDiffer) {
    const auto spec = rgbSpec(24);
    const cv::Mat image = horizontalGradient(40, 30);
    const std::string all = "crop:0.3,flip:0.5,rotate:20,brightness:0.4,contrast:0.4,saturation:0.4,hue:0.1";
    EXPECT_EQ(augmented(image, spec, all, 7), augmented(image, spec, all, 7));
    EXPECT_NE(augmented(image, spec, all, 7), augmented(image, spec, all, 8));
}

TEST(Augmentation, FlipMirrorsTheEvalImage) {
    const auto spec = rgbSpec(16);
    const cv::Mat image = horizontalGradient(16, 16);
    const auto plain = augmented(image, spec, "none", 3);
    const auto flipped = augmented(image, spec, "flip:1", 3);
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 16; ++y)
            for (int x = 0; x < 16; ++x)
                ASSERT_EQ(flipped[std::size_t(c * 256 + y * 16 + x)], plain[std::size_t(c * 256 + y * 16 + 15 - x)]);
}

TEST(Augmentation, RandomResizedCropZoomsIntoPartOfTheImage) {
    const auto spec = rgbSpec(32);
    const cv::Mat image = horizontalGradient(256, 256);
    double narrowest = 1.0;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        const auto output = augmented(image, spec, "crop:0.35", seed);
        // Green channel, middle row: the crop's horizontal extent in the gradient.
        const float left = output[std::size_t(32 * 32 + 16 * 32)], right = output[std::size_t(32 * 32 + 16 * 32 + 31)];
        EXPECT_LT(left, right) << "the crop keeps the image's orientation";
        const double span = right - left;
        EXPECT_GT(span, 0.45) << "crop:0.35 keeps at least sqrt(0.35 * 3/4) of the width";
        narrowest = std::min(narrowest, span);
    }
    EXPECT_LT(narrowest, 0.9) << "some crops are well inside the image";
}

TEST(Augmentation, RotationReflectsEdgesInsteadOfPaintingBlackCorners) {
    const auto spec = rgbSpec(20);
    const cv::Mat white(20, 20, CV_8UC3, cv::Scalar::all(255));
    for (const float value : augmented(white, spec, "rotate:45", 11)) ASSERT_FLOAT_EQ(value, 1.0f);
    const auto rotated = augmented(horizontalGradient(20, 20), spec, "rotate:45", 11);
    EXPECT_NE(rotated, augmented(horizontalGradient(20, 20), spec, "none", 11));
}

TEST(Augmentation, BrightnessScalesWithinItsRange) {
    const auto spec = rgbSpec(8);
    const cv::Mat grey(8, 8, CV_8UC3, cv::Scalar::all(100));
    std::vector<float> seen;
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
        const auto output = augmented(grey, spec, "brightness:0.3", seed);
        for (const float value : output) ASSERT_FLOAT_EQ(value, output[0]) << "one factor for the whole image";
        EXPECT_GE(output[0], 100 / 255.0f * 0.7f - 1e-6f);
        EXPECT_LE(output[0], 100 / 255.0f * 1.3f + 1e-6f);
        seen.push_back(output[0]);
    }
    EXPECT_NE(*std::min_element(seen.begin(), seen.end()), *std::max_element(seen.begin(), seen.end()));
}

TEST(Augmentation, SaturationAndHueLeaveGreyImagesGrey) {
    PreprocessSpec spec = rgbSpec(12);
    const cv::Mat rgbOfGrey = horizontalGradient(12, 12);
    const auto output = augmented(rgbOfGrey, spec, "saturation:0.9,hue:0.4", 5);
    for (int pixel = 1; pixel < 144; ++pixel) { // the red dot at pixel 0 is the only colour
        ASSERT_NEAR(output[std::size_t(pixel)], output[std::size_t(144 + pixel)], 1e-5);
        ASSERT_NEAR(output[std::size_t(pixel)], output[std::size_t(288 + pixel)], 1e-5);
    }
    spec.color = ColorMode::Gray;
    cv::Mat single;
    cv::extractChannel(rgbOfGrey, single, 1);
    EXPECT_EQ(augmented(single, spec, "saturation:0.9,hue:0.4", 5), augmented(single, spec, "none", 5))
        << "saturation and hue are off for one-channel images";
}

TEST(Augmentation, ParseNamesTheBadItem) {
    EXPECT_TRUE(AugmentSpec::parse("standard").enabled());
    EXPECT_FALSE(AugmentSpec::parse("none").enabled());
    EXPECT_DOUBLE_EQ(AugmentSpec::parse("rotate:15,flip:0.5").rotationDegrees, 15);
    EXPECT_NE(testing::errorOf([] { AugmentSpec::parse("rotate:500"); }).find("'rotate:500' needs a number from 0 to 180"),
              std::string::npos);
    EXPECT_NE(testing::errorOf([] { AugmentSpec::parse("spin:3"); }).find("unknown augmentation 'spin:3'"),
              std::string::npos);
}

} // namespace
} // namespace graft
