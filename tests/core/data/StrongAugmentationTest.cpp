#include "data/StrongAugmentation.h"

#include "PythonReference.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace graft {
namespace {

// Odd sides, so a centre between pixels is tested; values in 40..200, so autocontrast and
// equalize have something to stretch; smooth blobs plus noise, so sharpness has edges.
cv::Mat testImage(int channels) {
    std::mt19937 random(11);
    cv::Mat coarse(5, 6, CV_8UC(channels));
    for (auto it = coarse.datastart; it != coarse.dataend; ++it) *const_cast<uchar*>(it) = uchar(40 + random() % 161);
    cv::Mat image;
    cv::resize(coarse, image, {37, 29}, 0, 0, cv::INTER_CUBIC);
    for (auto it = image.datastart; it != image.dataend; ++it)
        *const_cast<uchar*>(it) = uchar(std::clamp(int(*it) + int(random() % 21) - 10, 40, 200));
    return image;
}

struct Case {
    std::string name;
    nlohmann::json argument;
    double fractionAllowedToDiffer; // of pixel values, for nearest sampling at half-pixel ties
};

StrongOperation operationNamed(const std::string& name) {
    for (int index = 0; index <= int(StrongOperation::Sharpness); ++index)
        if (strongOperationName(StrongOperation(index)) == name) return StrongOperation(index);
    throw std::runtime_error("no operation " + name);
}

// How many values of two same-sized images differ.
int differingValues(const cv::Mat& a, const cv::Mat& b) {
    cv::Mat difference;
    cv::absdiff(a, b, difference);
    return cv::countNonZero(difference.reshape(1));
}

// Graft's result and torchvision's for every case, on an image of `channels` channels.
void expectTorchvisionResults(int channels, const std::vector<Case>& cases) {
    testing::TempDir dir;
    const cv::Mat image = testImage(channels);
    const auto writeRgb = [](const std::filesystem::path& path, const cv::Mat& rgb) {
        cv::Mat file; // a new buffer: converting into a shallow copy would swap the caller's channels
        if (rgb.channels() == 3) cv::cvtColor(rgb, file, cv::COLOR_RGB2BGR);
        else file = rgb;
        ASSERT_TRUE(cv::imwrite(path.string(), file));
    };
    writeRgb(dir / "in.png", image);
    nlohmann::json spec = {{"image", (dir / "in.png").string()}, {"out", dir.path().string()}, {"cases", nlohmann::json::array()}};
    for (const auto& c : cases) spec["cases"].push_back({c.name, c.argument});
    std::ofstream(dir / "cases.json") << spec.dump();
    const auto written = testing::pythonReferenceJson(STRONG_AUGMENTATION_REFERENCE_SCRIPT, (dir / "cases.json").string());
    ASSERT_EQ(written.at("written").get<std::size_t>(), cases.size());

    for (std::size_t index = 0; index < cases.size(); ++index) {
        const auto& c = cases[index];
        cv::Mat expected = cv::imread((dir / (std::to_string(index) + ".png")).string(), cv::IMREAD_UNCHANGED);
        if (expected.channels() == 3) cv::cvtColor(expected, expected, cv::COLOR_BGR2RGB);
        const cv::Mat actual = c.name == "cutout" ? cutout(image, c.argument[0], c.argument[1], c.argument[2])
                                                  : applyStrongOperation(image, operationNamed(c.name), c.argument.get<double>());
        const std::string what = c.name + " " + c.argument.dump() + ", " + std::to_string(channels) + " channel(s)";
        ASSERT_EQ(actual.size(), expected.size()) << what;
        ASSERT_EQ(actual.type(), expected.type()) << what;
        cv::Mat difference;
        cv::absdiff(actual, expected, difference);
        const double differing = double(cv::countNonZero(difference.reshape(1))) / double(difference.total() * difference.channels());
        EXPECT_LE(differing, c.fractionAllowedToDiffer) << what;
        if (c.fractionAllowedToDiffer == 0) {
            double largest = 0;
            cv::minMaxLoc(difference.reshape(1), nullptr, &largest);
            EXPECT_EQ(largest, 0) << what;
        }
        EXPECT_FALSE(c.name != "cutout" && differingValues(actual, image) == 0)
            << what << " changed nothing";
    }
}

// Nearest-pixel geometry: the sampling grid is computed in float32 as torchvision computes it,
// but its matrix product may add in another order, so a position that falls exactly between two
// pixels can round the other way (1 pixel of 1,073 in the shear by -0.2 here).
constexpr double kGeometricTies = 0.005;

const std::vector<Case> kCases = {
    {"autocontrast", 0.0, 0},    {"equalize", 0.0, 0},        {"solarize", 128.0, 0},         {"solarize", 40.5, 0},
    {"posterize", 4.0, 0},       {"posterize", 6.0, 0},       {"brightness", 0.35, 0},        {"brightness", 1.6, 0},
    {"contrast", 0.3, 0},        {"contrast", 1.7, 0},        {"sharpness", 0.1, 0},          {"sharpness", 1.9, 0},
    {"rotate", 17.0, kGeometricTies},   {"rotate", -30.0, kGeometricTies},   {"shear_x", 0.3, kGeometricTies},
    {"shear_x", -0.2, kGeometricTies},  {"shear_y", 0.25, kGeometricTies},   {"translate_x", 9.0, 0},
    {"translate_x", -5.0, 0},    {"translate_y", 7.0, 0},     {"cutout", {5, 3, 14}, 0},      {"cutout", {30, 20, 14}, 0},
};

TEST(StrongAugmentation, EachOperationOnAColourImageEqualsTorchvisions) { expectTorchvisionResults(3, kCases); }

TEST(StrongAugmentation, EachOperationOnAGreyImageEqualsTorchvisions) { expectTorchvisionResults(1, kCases); }

TEST(StrongAugmentation, TheSameSeedGivesTheSameViewAndOthersDiffer) {
    const cv::Mat image = testImage(3);
    const cv::Mat first = strongAugment(image, 42);
    EXPECT_EQ(differingValues(first, strongAugment(image, 42)), 0);
    int differentViews = 0;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        const cv::Mat view = strongAugment(image, seed);
        ASSERT_EQ(view.size(), image.size());
        ASSERT_EQ(view.type(), image.type());
        differentViews += differingValues(view, first) > 0;
        // The cutout: a grey square of half the shorter side (14 px), at least partly inside.
        cv::Mat grey;
        cv::inRange(view, cv::Scalar::all(127), cv::Scalar::all(127), grey);
        EXPECT_GE(cv::countNonZero(grey), 7 * 7) << "seed " << seed;
    }
    EXPECT_GE(differentViews, 19);
}

TEST(StrongAugmentation, RefusesImagesThatAreNot8BitGreyOrColour) {
    EXPECT_THROW(applyStrongOperation(cv::Mat(4, 4, CV_32FC3), StrongOperation::Equalize, 0), std::exception);
    EXPECT_THROW(applyStrongOperation(cv::Mat(4, 4, CV_8UC4), StrongOperation::Equalize, 0), std::exception);
}

} // namespace
} // namespace graft
