#pragma once

#include "data/ImportReport.h"
#include "project/Database.h"

#include <opencv2/core/mat.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace graft {

// Where Debian's opencv-doc installs OpenCV's handwritten digits sheet.
inline const std::filesystem::path kOpenCvDigitsSheet = "/usr/share/doc/opencv-doc/examples/data/digits.png";

struct DigitImage {
    cv::Mat image; // 28 x 28, greyscale
    int digit = 0;
    int index = 0; // row * 100 + column on the sheet
};

// Cuts OpenCV's digits.png (50 rows x 100 columns of 20x20 digits, five rows per class, 0 to 9)
// into 28x28 images, each digit centred on a black border as in MNIST. Throws naming the file
// when it is missing (and the Debian package that provides it) or is not that sheet.
std::vector<DigitImage> cutOpenCvDigitsSheet(const std::filesystem::path& sheet);

// Imports the sheet's 5000 digits labelled "0" to "9"; sources are "digits.png:INDEX".
ImportReport importOpenCvDigits(Database& db, const std::filesystem::path& sheet, const ImportOptions& options = {});

// Imports digits as PNGs labelled "0" to "9"; sources are "PREFIX:INDEX"; progress names `stage`.
ImportReport importDigitImages(Database& db, const std::vector<DigitImage>& digits, const std::string& sourcePrefix,
                               std::string_view stage, const ImportOptions& options = {});

} // namespace graft
