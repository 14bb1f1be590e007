#include "data/Preprocess.h"

#include <opencv2/imgproc.hpp>

#include <cmath>

namespace graft {

cv::Mat preprocessForEval(const cv::Mat& decoded, const PreprocessSpec& spec) {
    cv::Mat resized = decoded;
    const int shorter = std::min(decoded.cols, decoded.rows);
    if (shorter != spec.resizeShorter) {
        // torchvision keeps the aspect ratio and truncates the longer side.
        const double scale = double(spec.resizeShorter) / shorter;
        const int width = decoded.cols == shorter ? spec.resizeShorter : int(decoded.cols * scale);
        const int height = decoded.rows == shorter ? spec.resizeShorter : int(decoded.rows * scale);
        // Area averaging when shrinking approximates PIL's antialiased bilinear filter.
        cv::resize(decoded, resized, {width, height}, 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    }
    // torchvision's CenterCrop offsets: int(round((size - crop) / 2)).
    const int top = int(std::lround((resized.rows - spec.crop) / 2.0));
    const int left = int(std::lround((resized.cols - spec.crop) / 2.0));
    cv::Mat cropped = resized(cv::Rect(left, top, spec.crop, spec.crop));

    cv::Mat normalized;
    cropped.convertTo(normalized, CV_32F, 1.0 / 255.0);
    const int channels = spec.channels();
    cv::Scalar mean, std;
    for (int c = 0; c < channels; ++c) {
        mean[c] = spec.mean[std::size_t(c)];
        std[c] = spec.std[std::size_t(c)];
    }
    cv::subtract(normalized, mean, normalized);
    cv::divide(normalized, std, normalized);
    return normalized.isContinuous() ? normalized : normalized.clone();
}

} // namespace graft
