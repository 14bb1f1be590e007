#pragma once

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <filesystem>

namespace graft::testing {

// A stand-in for OpenCV's digits.png with the same layout (50 rows x 100 columns of 20x20 cells,
// five rows per digit): each cell is filled with a grey that grows with its row, so the digit is
// learnable from brightness, and its first pixel holds its column, so no two cells are alike.
inline int digitsSheetFill(int row) { return 50 + 4 * row; }

inline void writeDigitsSheet(const std::filesystem::path& file) {
    cv::Mat sheet(1000, 2000, CV_8UC1, cv::Scalar(0));
    for (int row = 0; row < 50; ++row)
        for (int column = 0; column < 100; ++column) {
            cv::Mat cell = sheet(cv::Rect(column * 20, row * 20, 20, 20));
            cell.setTo(digitsSheetFill(row));
            cell.at<std::uint8_t>(0, 0) = std::uint8_t(column);
        }
    std::filesystem::create_directories(file.parent_path());
    cv::imwrite(file.string(), sheet);
}

} // namespace graft::testing
