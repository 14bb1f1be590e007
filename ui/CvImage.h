#pragma once

#include <QImage>

#include <opencv2/core/mat.hpp>

namespace graft::ui {

// A deep copy of an 8-bit RGB cv::Mat (null for an empty one).
inline QImage qImageOfRgb(const cv::Mat& rgb) {
    if (rgb.empty()) return {};
    return QImage(rgb.data, rgb.cols, rgb.rows, int(rgb.step), QImage::Format_RGB888).copy();
}

} // namespace graft::ui
