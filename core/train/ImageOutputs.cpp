#include "train/ImageOutputs.h"

#include "common/Error.h"
#include "data/ImageDecoding.h"
#include "models/Classifier.h"

#include <algorithm>

namespace graft {
namespace {

constexpr std::size_t kBatch = 64;

cv::Mat matOf(const std::vector<torch::Tensor>& batches) {
    const auto all = torch::cat(batches).to(torch::kFloat32).contiguous();
    return cv::Mat(int(all.size(0)), int(all.size(1)), CV_32F, all.data_ptr<float>()).clone();
}

} // namespace

ImageOutputs outputsOfImages(ProjectStore& store, const std::vector<CatalogImage>& images, ClassifierImpl& model,
                             const PreprocessSpec& input, bool withProbabilities, const std::string& source,
                             const ProgressCallback& progress, std::stop_token stop) {
    auto blocks = model.blocks();
    const auto head = blocks.back();
    blocks.pop_back();
    model.eval();
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> features, probabilities;
    for (std::size_t start = 0; start < images.size(); start += kBatch) {
        if (stop.stop_requested()) throw Error(source + ": stopped");
        const std::size_t end = std::min(images.size(), start + kBatch);
        std::vector<torch::Tensor> batch;
        for (std::size_t i = start; i < end; ++i) {
            try {
                batch.push_back(preprocessForEval(decodeImage(store.imageBytes(images[i].sha256), input.color), input));
            } catch (const Error& error) {
                throw Error(source + ": image " + images[i].source + ": " + error.what());
            }
        }
        auto x = torch::stack(batch);
        for (auto& block : blocks) x = block.forward(x);
        features.push_back(x.flatten(1));
        if (withProbabilities) probabilities.push_back(torch::softmax(head.forward(x), 1));
        if (progress) progress({"computing features", std::int64_t(end), std::int64_t(images.size())});
    }
    if (features.empty()) return {};
    return {matOf(features), withProbabilities ? matOf(probabilities) : cv::Mat()};
}

} // namespace graft
