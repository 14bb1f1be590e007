#include "data/StrongAugmentation.h"

#include "common/Draws.h"
#include "common/Error.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

namespace graft {
namespace {

// torchvision's _blend on uint8: ratio * a + (1 - ratio) * b in float32, clamped, truncated;
// `other(i)` is b for the i-th value (another image's, or one grey level).
template <typename Other>
cv::Mat blend(const cv::Mat& image, double ratio, Other other) {
    cv::Mat result(image.size(), image.type());
    const auto* a = image.ptr<std::uint8_t>();
    auto* out = result.ptr<std::uint8_t>();
    for (std::size_t i = 0; i < image.total() * std::size_t(image.channels()); ++i)
        out[i] = std::uint8_t(std::clamp(float(ratio) * float(a[i]) + float(1.0 - ratio) * float(other(i)), 0.0f, 255.0f));
    return result;
}

// Maps each channel through its own 256-entry table.
cv::Mat lookUpPerChannel(const cv::Mat& image, const std::vector<cv::Mat>& tables) {
    std::vector<cv::Mat> channels;
    cv::split(image, channels);
    for (std::size_t c = 0; c < channels.size(); ++c) cv::LUT(channels[c], tables[c], channels[c]);
    cv::Mat result;
    cv::merge(channels, result);
    return result;
}

cv::Mat autoContrast(const cv::Mat& image) {
    std::vector<cv::Mat> channels, tables;
    cv::split(image, channels);
    for (const auto& channel : channels) {
        double low = 0, high = 0;
        cv::minMaxLoc(channel, &low, &high);
        float minimum = float(low), scale = 255.0f / float(high - low);
        if (!std::isfinite(scale)) minimum = 0, scale = 1; // a flat channel stays as it is
        cv::Mat table(1, 256, CV_8U);
        for (int value = 0; value < 256; ++value)
            table.at<std::uint8_t>(value) = std::uint8_t(std::clamp((float(value) - minimum) * scale, 0.0f, 255.0f));
        tables.push_back(table);
    }
    return lookUpPerChannel(image, tables);
}

// PIL's (and torchvision's) equalize: the histogram's cumulative sum in steps of (all pixels but
// the brightest value's) / 255.
cv::Mat equalize(const cv::Mat& image) {
    std::vector<cv::Mat> channels, tables;
    cv::split(image, channels);
    for (const auto& channel : channels) {
        std::array<std::int64_t, 256> histogram{};
        for (auto it = channel.begin<std::uint8_t>(); it != channel.end<std::uint8_t>(); ++it) ++histogram[*it];
        std::int64_t lastNonZero = 0, total = 0;
        for (const auto count : histogram)
            if (count != 0) lastNonZero = count, total += count;
        const std::int64_t step = (total - lastNonZero) / 255;
        cv::Mat table(1, 256, CV_8U);
        std::int64_t cumulative = 0;
        for (int value = 0; value < 256; ++value) {
            table.at<std::uint8_t>(value) =
                step == 0 ? std::uint8_t(value) : std::uint8_t(std::min<std::int64_t>(255, (cumulative + step / 2) / step));
            cumulative += histogram[std::size_t(value)];
        }
        tables.push_back(table);
    }
    return lookUpPerChannel(image, tables);
}

cv::Mat pointwise(const cv::Mat& image, std::uint8_t (*map)(std::uint8_t, double), double argument) {
    cv::Mat table(1, 256, CV_8U);
    for (int value = 0; value < 256; ++value) table.at<std::uint8_t>(value) = map(std::uint8_t(value), argument);
    cv::Mat result;
    cv::LUT(image, table, result);
    return result;
}

// torchvision's rgb_to_grayscale on uint8, truncated, averaged in float.
float meanGrey(const cv::Mat& image) {
    double sum = 0;
    if (image.channels() == 1) {
        sum = cv::sum(image)[0];
    } else {
        for (auto it = image.begin<cv::Vec3b>(); it != image.end<cv::Vec3b>(); ++it)
            sum += double(std::uint8_t(0.2989f * float((*it)[0]) + 0.587f * float((*it)[1]) + 0.114f * float((*it)[2])));
    }
    return float(sum / double(image.total()));
}

// The 3 x 3 smoothing torchvision blends against for sharpness: weights 1/13 around, 5/13 in the
// centre, rounded half to even, with the border left as it was.
cv::Mat smoothed(const cv::Mat& image) {
    cv::Mat result = image.clone();
    if (image.rows < 3 || image.cols < 3) return result;
    const int channels = image.channels();
    const float side = 1.0f / 13.0f, centre = 5.0f / 13.0f;
    for (int y = 1; y + 1 < image.rows; ++y)
        for (int x = 1; x + 1 < image.cols; ++x)
            for (int c = 0; c < channels; ++c) {
                float sum = 0;
                for (int dy = -1; dy <= 1; ++dy)
                    for (int dx = -1; dx <= 1; ++dx)
                        sum += float(image.ptr<std::uint8_t>(y + dy)[(x + dx) * channels + c]) * (dx == 0 && dy == 0 ? centre : side);
                result.ptr<std::uint8_t>(y)[x * channels + c] = std::uint8_t(std::clamp(std::nearbyint(sum), 0.0f, 255.0f));
            }
    return result;
}

// torchvision's affine about `centre` (relative to the image's middle): its inverse matrix
// (_get_inverse_affine_matrix) and its sampling grid, computed as it computes them, in float32
// (_gen_affine_grid, then grid_sample's unnormalisation), rounded half to even as grid_sample's
// nearest mode does; OpenCV's remap then reads those whole-pixel positions. (OpenCV's own nearest
// warp rounds ties up and differed on a tenth of a sheared image.)
cv::Mat affine(const cv::Mat& image, double angleDegrees, cv::Point2d translate, cv::Point2d shearDegrees, cv::Point2d centre) {
    const double rotation = angleDegrees * std::numbers::pi / 180, sx = shearDegrees.x * std::numbers::pi / 180,
                 sy = shearDegrees.y * std::numbers::pi / 180;
    const double a = std::cos(rotation - sy) / std::cos(sy);
    const double b = -std::cos(rotation - sy) * std::tan(sx) / std::cos(sy) - std::sin(rotation);
    const double c = std::sin(rotation - sy) / std::cos(sy);
    const double d = -std::sin(rotation - sy) * std::tan(sx) / std::cos(sy) + std::cos(rotation);
    double m[6] = {d, -b, 0, -c, a, 0};
    m[2] += m[0] * (-centre.x - translate.x) + m[1] * (-centre.y - translate.y) + centre.x;
    m[5] += m[3] * (-centre.x - translate.x) + m[4] * (-centre.y - translate.y) + centre.y;
    const float width = float(image.cols), height = float(image.rows);
    const float halfWidth = 0.5f * width, halfHeight = 0.5f * height;
    const float theta[6] = {float(m[0]) / halfWidth,  float(m[1]) / halfWidth,  float(m[2]) / halfWidth,
                            float(m[3]) / halfHeight, float(m[4]) / halfHeight, float(m[5]) / halfHeight};
    cv::Mat mapX(image.size(), CV_32FC1), mapY(image.size(), CV_32FC1);
    for (int row = 0; row < image.rows; ++row) {
        const float y = -height * 0.5f + 0.5f + float(row);
        for (int column = 0; column < image.cols; ++column) {
            const float x = -width * 0.5f + 0.5f + float(column);
            const float gridX = x * theta[0] + y * theta[1] + theta[2];
            const float gridY = x * theta[3] + y * theta[4] + theta[5];
            mapX.at<float>(row, column) = std::nearbyint(((gridX + 1.0f) * width - 1.0f) / 2.0f);
            mapY.at<float>(row, column) = std::nearbyint(((gridY + 1.0f) * height - 1.0f) / 2.0f);
        }
    }
    cv::Mat result;
    cv::remap(image, result, mapX, mapY, cv::INTER_NEAREST, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    return result;
}

} // namespace

std::string_view strongOperationName(StrongOperation operation) {
    switch (operation) {
    case StrongOperation::AutoContrast: return "autocontrast";
    case StrongOperation::Equalize: return "equalize";
    case StrongOperation::Rotate: return "rotate";
    case StrongOperation::Solarize: return "solarize";
    case StrongOperation::Posterize: return "posterize";
    case StrongOperation::ShearX: return "shear_x";
    case StrongOperation::ShearY: return "shear_y";
    case StrongOperation::TranslateX: return "translate_x";
    case StrongOperation::TranslateY: return "translate_y";
    case StrongOperation::Brightness: return "brightness";
    case StrongOperation::Contrast: return "contrast";
    case StrongOperation::Sharpness: return "sharpness";
    }
    return "?";
}

cv::Mat applyStrongOperation(const cv::Mat& image, StrongOperation operation, double argument) {
    if (image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3))
        throw Error("strong augmentation takes 8-bit images with 1 or 3 channels");
    const cv::Mat input = image.isContinuous() ? image : image.clone();
    const cv::Point2d none(0, 0), topLeft(-input.cols / 2.0, -input.rows / 2.0);
    const double degreesOfShear = std::atan(argument) * 180 / std::numbers::pi;
    switch (operation) {
    case StrongOperation::AutoContrast: return autoContrast(input);
    case StrongOperation::Equalize: return equalize(input);
    case StrongOperation::Rotate: return affine(input, -argument, none, none, none);
    case StrongOperation::Solarize:
        return pointwise(input, [](std::uint8_t value, double threshold) {
            return double(value) >= threshold ? std::uint8_t(255 - value) : value;
        }, argument);
    case StrongOperation::Posterize:
        return pointwise(input, [](std::uint8_t value, double bits) {
            return std::uint8_t(value & (256 - (1 << (8 - std::clamp(int(bits), 1, 8)))));
        }, argument);
    case StrongOperation::ShearX: return affine(input, 0, none, {degreesOfShear, 0}, topLeft);
    case StrongOperation::ShearY: return affine(input, 0, none, {0, degreesOfShear}, topLeft);
    case StrongOperation::TranslateX: return affine(input, 0, {std::trunc(argument), 0}, none, none);
    case StrongOperation::TranslateY: return affine(input, 0, {0, std::trunc(argument)}, none, none);
    case StrongOperation::Brightness: return blend(input, argument, [](std::size_t) { return 0.0f; });
    case StrongOperation::Contrast: return blend(input, argument, [mean = meanGrey(input)](std::size_t) { return mean; });
    case StrongOperation::Sharpness:
        return blend(input, argument, [smooth = smoothed(input)](std::size_t i) { return float(smooth.ptr<std::uint8_t>()[i]); });
    }
    return input.clone();
}

cv::Mat cutout(const cv::Mat& image, int x, int y, int size) {
    cv::Mat result = image.clone();
    const cv::Rect square = cv::Rect(x, y, size, size) & cv::Rect(0, 0, image.cols, image.rows);
    if (!square.empty()) result(square).setTo(cv::Scalar::all(127));
    return result;
}

cv::Mat strongAugment(const cv::Mat& image, std::uint64_t seed) {
    Draws draws(seed);
    cv::Mat result = image;
    for (int pick = 0; pick < 2; ++pick) {
        const auto operation = StrongOperation(draws.integer(0, int(StrongOperation::Sharpness)));
        const double magnitude = draws.uniform(0, 1); // drawn even when unused, so the stream's length is fixed
        if (!draws.chance(0.5)) continue;
        const double side = operation == StrongOperation::TranslateY ? image.rows : image.cols;
        const double signedMagnitude = 2 * magnitude - 1;
        double argument = 0;
        switch (operation) {
        case StrongOperation::Rotate: argument = 30 * signedMagnitude; break;
        case StrongOperation::ShearX:
        case StrongOperation::ShearY: argument = 0.3 * signedMagnitude; break;
        case StrongOperation::TranslateX:
        case StrongOperation::TranslateY: argument = 0.3 * side * signedMagnitude; break;
        case StrongOperation::Posterize: argument = 4 + std::floor(magnitude * 4.999); break;
        case StrongOperation::Solarize: argument = 256 * magnitude; break;
        case StrongOperation::Brightness:
        case StrongOperation::Contrast:
        case StrongOperation::Sharpness: argument = 0.05 + 0.9 * magnitude; break;
        default: break;
        }
        result = applyStrongOperation(result, operation, argument);
    }
    const int size = std::max(1, std::min(image.cols, image.rows) / 2);
    const int x = draws.integer(0, image.cols - 1) - size / 2, y = draws.integer(0, image.rows - 1) - size / 2;
    return cutout(result, x, y, size);
}

} // namespace graft
