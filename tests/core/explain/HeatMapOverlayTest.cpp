#include "common/Error.h"
#include "data/Preprocess.h"
#include "explain/HeatMapOverlay.h"
#include "models/Architectures.h"

#include "ErrorText.h"

#include <gtest/gtest.h>
#include <opencv2/core.hpp>
#include <torch/torch.h>

namespace graft {
namespace {

TEST(HeatMapOverlay, ViewedImageIsTheCropTheModelSaw) {
    cv::Mat rgb(24, 40, CV_8UC3);
    cv::randu(rgb, 0, 256);
    PreprocessSpec spec = architectureSpec("resnet18").preprocess;
    spec.resizeShorter = 24;
    spec.crop = 24; // no resizing: the centre 24 x 24 columns 8..31
    const cv::Mat viewed = viewedImage(preprocessForEval(rgb, spec), spec);
    ASSERT_EQ(viewed.type(), CV_8UC3);
    ASSERT_EQ(viewed.size(), cv::Size(24, 24));
    EXPECT_LE(cv::norm(viewed, rgb(cv::Rect(8, 0, 24, 24)), cv::NORM_INF), 1);
}

TEST(HeatMapOverlay, GreyInputsAreShownInGreyRgb) {
    cv::Mat gray(28, 28, CV_8UC1, cv::Scalar(200));
    const auto spec = architectureSpec("tinynet").preprocess;
    const cv::Mat viewed = viewedImage(preprocessForEval(gray, spec), spec);
    ASSERT_EQ(viewed.type(), CV_8UC3);
    EXPECT_EQ(viewed.at<cv::Vec3b>(5, 5), cv::Vec3b(200, 200, 200));
}

TEST(HeatMapOverlay, LowIsBlueHighIsRedHalfOverTheImage) {
    const cv::Mat grey(2, 1, CV_8UC3, cv::Scalar(100, 100, 100));
    const auto map = torch::tensor({0.0f, 1.0f}).view({2, 1});
    const cv::Mat overlay = heatMapOverlay(grey, map);
    const auto low = overlay.at<cv::Vec3b>(0, 0);
    const auto high = overlay.at<cv::Vec3b>(1, 0);
    EXPECT_EQ(low[0], 50);  // jet's lowest is dark blue: (0, 0, 128) in RGB
    EXPECT_EQ(low[2], 114);
    EXPECT_EQ(high[0], 114); // and its highest dark red: (128, 0, 0)
    EXPECT_EQ(high[2], 50);
}

TEST(HeatMapOverlay, RejectsAMapOfAnotherSize) {
    const cv::Mat image(4, 4, CV_8UC3, cv::Scalar::all(0));
    EXPECT_EQ(testing::errorOf([&] { heatMapOverlay(image, torch::zeros({4, 5})); }),
              "a heat map overlay needs an 8-bit RGB image and a map of the same height and width");
}

} // namespace
} // namespace graft
