#pragma once

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <filesystem>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

namespace graft {

struct ExplainedClass {
    std::string label;
    double probability = 0;
};

// What one run's model makes of one image.
struct RunExplanation {
    std::int64_t runId = 0;
    std::string block;              // where Grad-CAM read the model
    std::vector<ExplainedClass> top; // most probable first; Grad-CAM explains the first
    cv::Mat viewed;                 // 8-bit RGB: the image as the model saw it
    cv::Mat heatMap;                // 8-bit RGB: the Grad-CAM map half over `viewed`
};

// Each run's best checkpoint on one encoded image: its `topK` classes and the Grad-CAM of the
// most probable at the last convolutional stage, so several runs (an arm and its baseline) can
// be shown side by side. Throws graft::Error naming the run or the image; a stop request between
// runs throws too.
std::vector<RunExplanation> explainWithRuns(const std::filesystem::path& project, const std::vector<std::int64_t>& runIds,
                                            std::span<const std::uint8_t> encodedImage, int topK, std::stop_token stop = {});

} // namespace graft
