#include "data/OpenCvDigits.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"

#include "DigitsSheet.h"
#include "ErrorText.h"
#include "TempDir.h"

#include <gtest/gtest.h>

#include <map>

namespace graft {
namespace {

using testing::errorOf;
using testing::TempDir;

TEST(OpenCvDigits, CutsFiftyByHundredCellsIntoDigitsCentredOnABlackBorder) {
    TempDir dir;
    testing::writeDigitsSheet(dir / "digits.png");
    const auto digits = cutOpenCvDigitsSheet(dir / "digits.png");
    ASSERT_EQ(digits.size(), 5000u);
    for (const int index : {0, 99, 100, 2571, 4999}) {
        const auto& digit = digits[std::size_t(index)];
        const int row = index / 100, column = index % 100;
        EXPECT_EQ(digit.index, index);
        EXPECT_EQ(digit.digit, row / 5) << index;
        ASSERT_EQ(digit.image.size(), cv::Size(28, 28));
        EXPECT_EQ(digit.image.type(), CV_8UC1);
        EXPECT_EQ(cv::countNonZero(digit.image.rowRange(0, 4)), 0) << "top border, digit " << index;
        EXPECT_EQ(cv::countNonZero(digit.image.colRange(24, 28)), 0) << "right border, digit " << index;
        EXPECT_EQ(digit.image.at<std::uint8_t>(4, 4), column) << "the cell's first pixel, moved in by the border";
        EXPECT_EQ(digit.image.at<std::uint8_t>(23, 23), testing::digitsSheetFill(row));
    }
}

TEST(OpenCvDigits, MissingSheetNamesTheFileAndTheDebianPackage) {
    const std::string error = errorOf([] { cutOpenCvDigitsSheet("/nonexistent/digits.png"); });
    EXPECT_NE(error.find("/nonexistent/digits.png"), std::string::npos) << error;
    EXPECT_NE(error.find("apt install opencv-doc"), std::string::npos) << error;
}

TEST(OpenCvDigits, RejectsAnImageThatIsNotTheSheet) {
    TempDir dir;
    cv::imwrite((dir / "small.png").string(), cv::Mat(100, 200, CV_8UC1, cv::Scalar(7)));
    const std::string error = errorOf([&] { cutOpenCvDigitsSheet(dir / "small.png"); });
    EXPECT_NE(error.find("small.png: not OpenCV's 2000 x 1000 digits sheet"), std::string::npos) << error;
}

TEST(OpenCvDigits, ImportLabelsFiveHundredOfEachDigitAndNamesTheirCells) {
    TempDir dir;
    testing::writeDigitsSheet(dir / "digits.png");
    Database db = createProject(dir / "digits.graft");
    const auto report = importOpenCvDigits(db, dir / "digits.png");
    EXPECT_EQ(report.added, 5000);
    EXPECT_EQ(report.labeled, 5000);
    ProjectStore store(db);
    std::map<std::string, std::int64_t> perClass;
    for (const auto& summary : store.classSummaries()) perClass[summary.name] = summary.images;
    ASSERT_EQ(perClass.size(), 10u);
    for (const auto& [name, count] : perClass) EXPECT_EQ(count, 500) << "digit " << name;
    const auto catalog = store.catalog();
    EXPECT_EQ(catalog[1234].source, "digits.png:1234");
    for (const auto& summary : store.classSummaries()) {
        if (summary.id == *catalog[1234].classId) {
            EXPECT_EQ(summary.name, "2"); // row 12
        }
    }
}

} // namespace
} // namespace graft
