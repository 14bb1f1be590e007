#pragma once

#include "common/Progress.h"
#include "project/ProjectStore.h"

#include <opencv2/core/mat.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace graft {

struct PretrainedBackbone;

// One project image on the map.
struct MapPoint {
    std::string sha256;
    double x = 0;
    double y = 0;
    std::optional<std::int64_t> classId; // its label; empty when unlabelled
    std::optional<Split> split;
    // A run's map: whether the run predicts the image's label. Empty for unlabelled images,
    // classes the run does not know, and backbone maps.
    std::optional<bool> correct;
};

// Every image of a project placed by the features a model computes for it, just before its
// classifier head, projected on their first two principal components.
struct DataMap {
    std::string features; // whose: "run 3 (resnet18)" or the backbone's name
    std::vector<MapPoint> points;
    std::array<double, 2> explainedVariance{}; // each axis's share of the features' total variance
};

// The rows of `features` (N x D, float32, N >= 2) on their first two principal components, by
// cv::PCA; N x 2, float64. `explainedVariance` gets each component's share of the total variance.
cv::Mat principalPlane(const cv::Mat& features, std::array<double, 2>& explainedVariance);

// Through the run's chosen checkpoint (loadRunModel), at its input size. Throws when stopped;
// errors name the project and run.
DataMap mapRunFeatures(const std::filesystem::path& project, std::int64_t runId, const ProgressCallback& progress,
                       std::stop_token stop);
// Through pretrained weights, before any training.
DataMap mapBackboneFeatures(const std::filesystem::path& project, const PretrainedBackbone& backbone,
                            const ProgressCallback& progress, std::stop_token stop);

} // namespace graft
