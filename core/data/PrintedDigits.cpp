#include "data/PrintedDigits.h"

#include <opencv2/imgproc.hpp>

#include <array>
#include <random>

namespace graft {
namespace {

constexpr std::array kFaces = {cv::FONT_HERSHEY_SIMPLEX, cv::FONT_HERSHEY_PLAIN,         cv::FONT_HERSHEY_DUPLEX,
                               cv::FONT_HERSHEY_COMPLEX, cv::FONT_HERSHEY_TRIPLEX,       cv::FONT_HERSHEY_COMPLEX_SMALL,
                               cv::FONT_HERSHEY_SCRIPT_SIMPLEX, cv::FONT_HERSHEY_SCRIPT_COMPLEX};

cv::Mat drawDigit(int digit, std::mt19937_64& draw) {
    std::uniform_int_distribution<std::size_t> face(0, kFaces.size() - 1);
    std::uniform_int_distribution<int> thickness(2, 5), box(14, 17), shift(-1, 1);
    std::uniform_real_distribution<double> unit(0.0, 1.0), angle(-15.0, 15.0);
    const int font = kFaces[face(draw)] | (unit(draw) < 0.3 ? cv::FONT_ITALIC : 0);
    const std::string text = std::to_string(digit);
    const int stroke = thickness(draw);

    // Drawn large on a square canvas, glyph height near 60 px whatever the face's own size.
    constexpr int kCanvas = 128;
    int baseline = 0;
    const cv::Size unitSize = cv::getTextSize(text, font, 1.0, stroke, &baseline);
    const double scale = 60.0 / double(std::max(1, unitSize.height));
    const cv::Size size = cv::getTextSize(text, font, scale, stroke, &baseline);
    cv::Mat canvas = cv::Mat::zeros(kCanvas, kCanvas, CV_8U);
    cv::putText(canvas, text, {(kCanvas - size.width) / 2, (kCanvas + size.height) / 2}, font, scale, cv::Scalar(255), stroke,
                cv::LINE_AA);
    const cv::Mat turn = cv::getRotationMatrix2D({kCanvas / 2.0f, kCanvas / 2.0f}, angle(draw), 1.0);
    cv::warpAffine(canvas, canvas, turn, canvas.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));

    // Cut like the handwritten sheet: the ink's bounding box scaled into a small box, centred in a
    // 20 px cell with a 4 px border.
    const cv::Rect ink = cv::boundingRect(canvas);
    const int side = box(draw);
    const double fit = double(side) / double(std::max(ink.width, ink.height));
    cv::Mat glyph;
    cv::resize(canvas(ink), glyph, {std::max(1, int(ink.width * fit + 0.5)), std::max(1, int(ink.height * fit + 0.5))}, 0, 0,
               cv::INTER_AREA);
    cv::Mat cell = cv::Mat::zeros(28, 28, CV_8U);
    const int left = std::clamp(4 + (20 - glyph.cols) / 2 + shift(draw), 0, 28 - glyph.cols);
    const int top = std::clamp(4 + (20 - glyph.rows) / 2 + shift(draw), 0, 28 - glyph.rows);
    glyph.copyTo(cell(cv::Rect(left, top, glyph.cols, glyph.rows)));
    return cell;
}

} // namespace

std::vector<DigitImage> renderPrintedDigits(int perDigit, std::uint64_t seed) {
    std::mt19937_64 draw(seed);
    std::vector<DigitImage> digits;
    digits.reserve(std::size_t(perDigit) * 10);
    for (int digit = 0; digit < 10; ++digit)
        for (int i = 0; i < perDigit; ++i) {
            const int index = int(digits.size());
            digits.push_back({drawDigit(digit, draw), digit, index});
        }
    return digits;
}

} // namespace graft
