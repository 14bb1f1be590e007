#pragma once

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <string>
#include <vector>

namespace graft::testing {

// A distinct PNG for each `seed` (a flat grey level), `size` pixels square.
inline std::string pngBytes(int seed, int size = 8, int channels = 1) {
    cv::Mat image(size, size, channels == 1 ? CV_8UC1 : CV_8UC3, cv::Scalar::all(seed % 256));
    image.at<std::uint8_t>(0, 0) = std::uint8_t(seed / 256);
    std::vector<std::uint8_t> encoded;
    cv::imencode(".png", image, encoded);
    return {encoded.begin(), encoded.end()};
}

// Uniform noise, `height` x `width` x `channels`, 8-bit; cv::setRNGSeed makes it repeatable.
inline cv::Mat randomImage(int height, int width, int channels) {
    cv::Mat image(height, width, CV_8UC(channels));
    cv::randu(image, 0, 256);
    return image;
}

} // namespace graft::testing
