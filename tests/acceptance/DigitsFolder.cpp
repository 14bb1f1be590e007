// Writes OpenCV's digits.png as an ImageFolder of 28x28 PNGs (cut as the demo project cuts it),
// for the plain-PyTorch reference script:
//   graft_digits_folder digits.png OUT   ->   OUT/<digit>/<n>.png
#include "data/OpenCvDigits.h"

#include <opencv2/imgcodecs.hpp>

#include <cstdio>
#include <exception>
#include <string>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: graft_digits_folder digits.png OUT_FOLDER\n");
        return 2;
    }
    try {
        const std::filesystem::path out = argv[2];
        for (const auto& digit : graft::cutOpenCvDigitsSheet(argv[1])) {
            const auto folder = out / std::to_string(digit.digit);
            std::filesystem::create_directories(folder);
            const auto file = folder / (std::to_string(digit.index) + ".png");
            if (!cv::imwrite(file.string(), digit.image)) {
                std::fprintf(stderr, "%s: cannot be written\n", file.c_str());
                return 1;
            }
        }
    } catch (const std::exception& error) {
        std::fprintf(stderr, "%s\n", error.what());
        return 1;
    }
    return 0;
}
