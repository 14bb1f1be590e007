#include "data/Augmentation.h"

#include "common/Draws.h"
#include "common/Error.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace graft {
namespace {

cv::Mat resized(const cv::Mat& image, cv::Size size, Interpolation interpolation) {
    const bool shrinking = size.width <= image.cols && size.height <= image.rows;
    // INTER_AREA is OpenCV's antialiased shrink, matching the antialiasing of the eval path.
    const int mode = shrinking ? cv::INTER_AREA : interpolation == Interpolation::Bicubic ? cv::INTER_CUBIC : cv::INTER_LINEAR;
    cv::Mat output;
    cv::resize(image, output, size, 0, 0, mode);
    return output;
}

// torchvision's RandomResizedCrop.get_params, with aspect ratios 3/4..4/3.
cv::Rect randomCropRegion(int width, int height, double minScale, Draws& draws) {
    const double area = double(width) * double(height);
    const double logLow = std::log(3.0 / 4.0), logHigh = std::log(4.0 / 3.0);
    for (int attempt = 0; attempt < 10; ++attempt) {
        const double target = area * draws.uniform(minScale, 1.0);
        const double aspect = std::exp(draws.uniform(logLow, logHigh));
        const int w = int(std::lround(std::sqrt(target * aspect)));
        const int h = int(std::lround(std::sqrt(target / aspect)));
        if (w > 0 && w <= width && h > 0 && h <= height)
            return {draws.integer(0, width - w), draws.integer(0, height - h), w, h};
    }
    const double ratio = double(width) / double(height);
    int w = width, h = height;
    if (ratio < 3.0 / 4.0) h = int(std::lround(w / (3.0 / 4.0)));
    else if (ratio > 4.0 / 3.0) w = int(std::lround(h * (4.0 / 3.0)));
    return {(width - w) / 2, (height - h) / 2, w, h};
}

cv::Mat centreCropped(const cv::Mat& image, const PreprocessSpec& spec) {
    const int shorter = std::min(image.cols, image.rows);
    const double scale = double(spec.resizeShorter) / double(shorter);
    const cv::Size size = image.cols <= image.rows
                              ? cv::Size(spec.resizeShorter, int(double(image.rows) * scale))
                              : cv::Size(int(double(image.cols) * scale), spec.resizeShorter);
    const cv::Mat scaled = shorter == spec.resizeShorter ? image : resized(image, size, spec.interpolation);
    const cv::Rect region((scaled.cols - spec.crop) / 2, (scaled.rows - spec.crop) / 2, spec.crop, spec.crop);
    return scaled(region);
}

// Per-pixel luminance as torchvision's rgb_to_grayscale computes it.
cv::Mat luminance(const cv::Mat& rgb) {
    if (rgb.channels() == 1) return rgb.clone();
    cv::Mat grey;
    cv::transform(rgb, grey, cv::Matx13f(0.299f, 0.587f, 0.114f));
    return grey;
}

void blendWith(cv::Mat& image, const cv::Mat& other, double factor) {
    cv::Mat expanded = other;
    if (other.channels() != image.channels()) cv::cvtColor(other, expanded, cv::COLOR_GRAY2RGB);
    cv::addWeighted(image, factor, expanded, 1.0 - factor, 0.0, image);
    cv::min(cv::max(image, 0.0), 1.0, image);
}

double jitterFactor(double amount, Draws& draws) { return draws.uniform(std::max(0.0, 1.0 - amount), 1.0 + amount); }

void jitterColours(cv::Mat& image, const AugmentSpec& augment, Draws& draws) {
    if (augment.brightness > 0) {
        image *= jitterFactor(augment.brightness, draws);
        cv::min(image, 1.0, image);
    }
    if (augment.contrast > 0) {
        const double factor = jitterFactor(augment.contrast, draws);
        const cv::Mat mean(image.size(), CV_32FC1, cv::Scalar(cv::mean(luminance(image))[0]));
        blendWith(image, mean, factor);
    }
    if (augment.saturation > 0) blendWith(image, luminance(image), jitterFactor(augment.saturation, draws));
    if (augment.hue > 0) {
        const double shift = draws.uniform(-augment.hue, augment.hue) * 360.0;
        cv::Mat hsv;
        cv::cvtColor(image, hsv, cv::COLOR_RGB2HSV); // float input: hue in degrees
        std::vector<cv::Mat> planes;
        cv::split(hsv, planes);
        planes[0].forEach<float>([shift](float& h, const int*) { h = float(std::fmod(h + shift + 360.0, 360.0)); });
        cv::merge(planes, hsv);
        cv::cvtColor(hsv, image, cv::COLOR_HSV2RGB);
    }
}

} // namespace

void augmentInto(const cv::Mat& decoded, const PreprocessSpec& spec, const AugmentSpec& augment, std::uint64_t seed,
                 float* destination) {
    if (decoded.depth() != CV_8U || decoded.channels() != spec.channels())
        throw Error("augmentation expects an 8-bit image with " + std::to_string(spec.channels()) + " channel(s)");
    Draws draws(seed);
    cv::Mat image = augment.cropScale < 1.0
                        ? resized(decoded(randomCropRegion(decoded.cols, decoded.rows, augment.cropScale, draws)),
                                  {spec.crop, spec.crop}, spec.interpolation)
                        : centreCropped(decoded, spec);
    if (augment.flipProbability > 0 && draws.chance(augment.flipProbability)) cv::flip(image, image, 1);
    if (augment.rotationDegrees > 0) {
        const double angle = draws.uniform(-augment.rotationDegrees, augment.rotationDegrees);
        const cv::Mat rotation = cv::getRotationMatrix2D({(spec.crop - 1) / 2.0f, (spec.crop - 1) / 2.0f}, angle, 1.0);
        cv::Mat rotated;
        cv::warpAffine(image, rotated, rotation, image.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT_101);
        image = rotated;
    }
    cv::Mat pixels;
    image.convertTo(pixels, CV_32F, 1.0 / 255.0);
    jitterColours(pixels, augment.forChannels(spec.channels()), draws);

    const int channels = spec.channels(), area = spec.crop * spec.crop;
    for (int y = 0; y < spec.crop; ++y) {
        const float* row = pixels.ptr<float>(y);
        for (int x = 0; x < spec.crop; ++x)
            for (int c = 0; c < channels; ++c)
                destination[c * area + y * spec.crop + x] = (row[x * channels + c] - spec.mean[c]) / spec.std[c];
    }
}

} // namespace graft
