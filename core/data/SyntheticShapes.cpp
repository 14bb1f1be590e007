#include "data/SyntheticShapes.h"

#include "data/ImportSession.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <array>
#include <random>

namespace graft {

std::vector<SyntheticImage> generateShapes(int perClass, std::uint64_t seed, int size) {
    static constexpr std::array kShapes = {"circle", "square", "triangle"};
    std::mt19937_64 generator(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    cv::RNG noiseGenerator(seed);
    std::vector<SyntheticImage> images;
    for (int i = 0; i < perClass; ++i) {
        for (std::size_t shape = 0; shape < kShapes.size(); ++shape) {
            cv::Mat image(size, size, CV_8UC1, cv::Scalar(0));
            const double radius = size * (0.18 + 0.14 * unit(generator));
            const cv::Point center(int(radius + (size - 2 * radius) * unit(generator)),
                                   int(radius + (size - 2 * radius) * unit(generator)));
            const int r = int(radius);
            const cv::Scalar ink(150 + 105 * unit(generator));
            if (shape == 0) {
                cv::circle(image, center, r, ink, cv::FILLED, cv::LINE_AA);
            } else if (shape == 1) {
                cv::rectangle(image, center - cv::Point(r, r), center + cv::Point(r, r), ink, cv::FILLED);
            } else {
                const std::vector<cv::Point> corners = {center + cv::Point(0, -r), center + cv::Point(-r, r),
                                                        center + cv::Point(r, r)};
                cv::fillConvexPoly(image, corners, ink, cv::LINE_AA);
            }
            cv::Mat noise(size, size, CV_8UC1);
            noiseGenerator.fill(noise, cv::RNG::UNIFORM, 0, 40);
            image += noise;
            SyntheticImage synthetic;
            cv::imencode(".png", image, synthetic.png);
            synthetic.label = kShapes[shape];
            images.push_back(std::move(synthetic));
        }
    }
    return images;
}

ImportReport importSyntheticShapes(Database& db, int perClass, std::uint64_t seed, const ImportOptions& options) {
    auto images = generateShapes(perClass, seed);
    ImportSession session(db, options, "Generating shapes");
    session.setTotal(std::int64_t(images.size()));
    for (std::size_t i = 0; i < images.size() && session.shouldContinue(); ++i)
        session.add(std::move(images[i].png), "generated:" + images[i].label + "/" + std::to_string(i), images[i].label);
    return session.finish();
}

} // namespace graft
