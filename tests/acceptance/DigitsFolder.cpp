// Cuts OpenCV's digits.png (50 rows x 100 columns of 20x20 digits, five rows per class, 0 to 9)
// into an ImageFolder of 28x28 PNGs, each digit centred on a black border as in MNIST:
//   graft_digits_folder digits.png OUT   ->   OUT/<digit>/<n>.png
#include <opencv2/imgcodecs.hpp>
#include <opencv2/core.hpp>

#include <cstdio>
#include <filesystem>
#include <string>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: graft_digits_folder digits.png OUT_FOLDER\n");
        return 2;
    }
    const cv::Mat sheet = cv::imread(argv[1], cv::IMREAD_GRAYSCALE);
    constexpr int kCell = 20, kPad = 4, kRowsPerDigit = 5;
    if (sheet.empty() || sheet.rows != 50 * kCell || sheet.cols != 100 * kCell) {
        std::fprintf(stderr, "%s: not OpenCV's 2000x1000 digits sheet\n", argv[1]);
        return 1;
    }
    const std::filesystem::path out = argv[2];
    for (int digit = 0; digit < 10; ++digit) std::filesystem::create_directories(out / std::to_string(digit));
    for (int row = 0; row < sheet.rows / kCell; ++row)
        for (int column = 0; column < sheet.cols / kCell; ++column) {
            cv::Mat padded;
            cv::copyMakeBorder(sheet(cv::Rect(column * kCell, row * kCell, kCell, kCell)), padded, kPad, kPad, kPad, kPad,
                               cv::BORDER_CONSTANT, cv::Scalar(0));
            const auto file = out / std::to_string(row / kRowsPerDigit) / (std::to_string(row * 100 + column) + ".png");
            if (!cv::imwrite(file.string(), padded)) {
                std::fprintf(stderr, "%s: cannot be written\n", file.c_str());
                return 1;
            }
        }
    return 0;
}
