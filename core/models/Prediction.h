#pragma once

#include "data/Preprocess.h"
#include "models/Architectures.h"
#include "models/Classifier.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace graft {

struct ClassScore {
    std::int64_t index = 0;
    std::string label;
    double probability = 0;
};

// The 1000 ImageNet class names, in the order of torchvision's logits.
const std::vector<std::string>& imageNetClassNames();

// Builds `spec` with as many outputs as the weights' classifier head has, and loads every
// tensor; anything missing, unexpected or misshapen is an error naming it and the file.
std::shared_ptr<ClassifierImpl> loadClassifierFromWeights(const ArchitectureSpec& spec,
                                                          const std::filesystem::path& weightsFile);

// Softmax probabilities of `logitsOf` for one decoded image, the k highest first. `labels` name the
// outputs; without them (or with too few), an output is named "class N".
std::vector<ClassScore> predictTopK(const std::function<torch::Tensor(torch::Tensor)>& logitsOf, const PreprocessSpec& spec,
                                    const cv::Mat& decoded, int k, const std::vector<std::string>& labels);
// The same for a classifier in eval mode.
std::vector<ClassScore> predictTopK(ClassifierImpl& model, const PreprocessSpec& spec, const cv::Mat& decoded, int k,
                                    const std::vector<std::string>& labels);

} // namespace graft
