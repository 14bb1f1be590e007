#include "data/OpenCvDigits.h"

#include "common/Error.h"
#include "data/ImportSession.h"

#include <opencv2/imgcodecs.hpp>

namespace graft {

std::vector<DigitImage> cutOpenCvDigitsSheet(const std::filesystem::path& sheet) {
    if (!std::filesystem::is_regular_file(sheet))
        throw Error(sheet.string() + ": not found; OpenCV's digits come with Debian's opencv-doc package "
                                     "(sudo apt install opencv-doc)");
    const cv::Mat pixels = cv::imread(sheet.string(), cv::IMREAD_GRAYSCALE);
    constexpr int kCell = 20, kPad = 4, kRowsPerDigit = 5, kRows = 50, kColumns = 100;
    if (pixels.empty() || pixels.rows != kRows * kCell || pixels.cols != kColumns * kCell)
        throw Error(sheet.string() + ": not OpenCV's 2000 x 1000 digits sheet");
    std::vector<DigitImage> digits;
    digits.reserve(kRows * kColumns);
    for (int row = 0; row < kRows; ++row)
        for (int column = 0; column < kColumns; ++column) {
            DigitImage digit{cv::Mat(), row / kRowsPerDigit, row * kColumns + column};
            // Isolated: otherwise OpenCV fills a sub-image's border from the neighbouring cells.
            cv::copyMakeBorder(pixels(cv::Rect(column * kCell, row * kCell, kCell, kCell)), digit.image, kPad, kPad, kPad,
                               kPad, cv::BORDER_CONSTANT | cv::BORDER_ISOLATED, cv::Scalar(0));
            digits.push_back(std::move(digit));
        }
    return digits;
}

ImportReport importOpenCvDigits(Database& db, const std::filesystem::path& sheet, const ImportOptions& options) {
    return importDigitImages(db, cutOpenCvDigitsSheet(sheet), sheet.filename().string(), "Importing OpenCV's digits", options);
}

ImportReport importDigitImages(Database& db, const std::vector<DigitImage>& digits, const std::string& sourcePrefix,
                               std::string_view stage, const ImportOptions& options) {
    ImportSession session(db, options, stage);
    session.setTotal(std::int64_t(digits.size()));
    for (std::size_t i = 0; i < digits.size() && session.shouldContinue(); ++i) {
        std::vector<std::uint8_t> png;
        cv::imencode(".png", digits[i].image, png);
        session.add(std::move(png), sourcePrefix + ":" + std::to_string(digits[i].index), std::to_string(digits[i].digit),
                    ImageShape{digits[i].image.cols, digits[i].image.rows, 1});
    }
    return session.finish();
}

} // namespace graft
