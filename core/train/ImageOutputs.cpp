#include "train/ImageOutputs.h"

#include "common/Error.h"
#include "export/FoldedClassifier.h"
#include "models/Classifier.h"
#include "project/ProjectImageBytes.h"
#include "train/AugmentedEpochs.h"

namespace graft {
namespace {

constexpr int kBatch = 64;

cv::Mat matOf(const std::vector<torch::Tensor>& batches) {
    const auto all = torch::cat(batches).to(torch::kFloat32).contiguous();
    return cv::Mat(int(all.size(0)), int(all.size(1)), CV_32F, all.data_ptr<float>()).clone();
}

} // namespace

ImageOutputs outputsOfImages(const std::filesystem::path& project, const std::vector<CatalogImage>& images, ClassifierImpl& model,
                             const PreprocessSpec& input, bool withProbabilities, const std::string& source,
                             const ProgressCallback& progress, std::stop_token stop) {
    if (images.empty()) return {};
    std::vector<std::string> sha256s, names;
    for (const auto& image : images) {
        sha256s.push_back(image.sha256);
        names.push_back(image.source);
    }
    const ProjectImageBytes encoded(project, std::move(sha256s), std::move(names));
    const auto blocks = model.blocks();
    const auto head = blocks.back();
    const auto featuresOf = prefixFunction(model, blocks, blocks.size() - 1, torch::kCPU);
    model.eval();
    torch::NoGradGuard noGrad;
    AugmentedBatches batches(encoded, input, AugmentSpec{}, inOrderPlan(encoded.size(), kBatch), loaderThreads(TrainConfig{}),
                             kBatchesAhead);
    std::vector<torch::Tensor> features, probabilities;
    std::int64_t done = 0;
    while (!batches.done()) {
        if (stop.stop_requested()) throw Error(source + ": stopped");
        torch::Tensor x;
        try {
            x = featuresOf(batches.next());
        } catch (const Error& error) { // an image that does not decode, named by its source
            throw Error(source + ": " + error.what());
        }
        features.push_back(x.flatten(1));
        if (withProbabilities) probabilities.push_back(torch::softmax(head.forward(x), 1));
        done += x.size(0);
        if (progress) progress({"computing features", done, encoded.size()});
    }
    return {matOf(features), withProbabilities ? matOf(probabilities) : cv::Mat()};
}

} // namespace graft
