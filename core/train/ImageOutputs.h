#pragma once

#include "common/Progress.h"
#include "data/Preprocess.h"
#include "project/ProjectStore.h"

#include <opencv2/core/mat.hpp>

#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

namespace graft {

class ClassifierImpl;

// What a model makes of project images: the features its head reads, and the head's softmax.
struct ImageOutputs {
    cv::Mat features;      // N x D, float32
    cv::Mat probabilities; // N x C, float32; empty unless asked for
};

// Runs `images` of `project` through `model` (in eval mode, without gradients, BatchNorm folded
// where the architecture allows) in batches of 64, each read from the project and decoded by
// loader threads as it is needed, so a large project never sits in memory; progress counts
// images. Throws when stopped, and names `source` and the image when one does not decode.
ImageOutputs outputsOfImages(const std::filesystem::path& project, const std::vector<CatalogImage>& images, ClassifierImpl& model,
                             const PreprocessSpec& input, bool withProbabilities, const std::string& source,
                             const ProgressCallback& progress, std::stop_token stop);

} // namespace graft
