#include "explain/DataMap.h"

#include "common/Error.h"
#include "data/ImageDecoding.h"
#include "data/Preprocess.h"
#include "models/Classifier.h"
#include "models/PretrainedBackbone.h"
#include "project/ProjectFile.h"
#include "train/ComputeSetup.h"
#include "train/RunModel.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <map>

namespace graft {
namespace {

constexpr std::size_t kBatch = 64; // images decoded at a time, so large projects never sit in memory whole

struct FeaturePass {
    cv::Mat features;                     // N x D, float32
    std::vector<std::int64_t> predicted;  // the head's top class per image, when asked for
};

FeaturePass featuresOfImages(ProjectStore& store, const std::vector<CatalogImage>& images, ClassifierImpl& model,
                             const PreprocessSpec& input, bool predict, const std::string& source,
                             const ProgressCallback& progress, std::stop_token stop) {
    auto blocks = model.blocks();
    const auto head = blocks.back();
    blocks.pop_back();
    model.eval();
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> features;
    FeaturePass pass;
    for (std::size_t start = 0; start < images.size(); start += kBatch) {
        if (stop.stop_requested()) throw Error(source + ": the map was stopped");
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
        features.push_back(x.flatten(1).to(torch::kFloat32));
        if (predict) {
            const auto top = head.forward(x).argmax(1).contiguous();
            pass.predicted.insert(pass.predicted.end(), top.data_ptr<std::int64_t>(), top.data_ptr<std::int64_t>() + top.numel());
        }
        if (progress) progress({"computing features", std::int64_t(end), std::int64_t(images.size())});
    }
    const auto all = torch::cat(features).contiguous();
    pass.features = cv::Mat(int(all.size(0)), int(all.size(1)), CV_32F, all.data_ptr<float>()).clone();
    return pass;
}

std::vector<CatalogImage> imagesToMap(ProjectStore& store, const std::filesystem::path& project) {
    auto images = store.catalog();
    if (images.size() < 2) throw Error(project.string() + ": a map needs at least two images; import some first");
    return images;
}

DataMap placed(const std::vector<CatalogImage>& images, const cv::Mat& features, const ProgressCallback& progress) {
    if (progress) progress({"finding the two main directions", 0, 0});
    DataMap map;
    const cv::Mat plane = principalPlane(features, map.explainedVariance);
    for (std::size_t i = 0; i < images.size(); ++i)
        map.points.push_back({images[i].sha256, plane.at<double>(int(i), 0), plane.at<double>(int(i), 1), images[i].classId,
                              images[i].split, std::nullopt});
    return map;
}

} // namespace

cv::Mat principalPlane(const cv::Mat& features, std::array<double, 2>& explainedVariance) {
    if (features.rows < 2) throw Error("a map needs at least two images");
    const cv::PCA pca(features, cv::noArray(), cv::PCA::DATA_AS_ROW, 2);
    cv::Mat projected;
    pca.project(features, projected);
    cv::Mat plane = cv::Mat::zeros(features.rows, 2, CV_64F);
    projected.convertTo(plane.colRange(0, std::min(2, projected.cols)), CV_64F);

    // Shares of the total variance, from the data itself, so they need no knowledge of how
    // cv::PCA scales its covariance.
    cv::Mat centred;
    features.convertTo(centred, CV_64F);
    cv::Mat mean;
    cv::reduce(centred, mean, 0, cv::REDUCE_AVG);
    centred -= cv::repeat(mean, centred.rows, 1);
    const double total = centred.dot(centred);
    for (int axis = 0; axis < 2; ++axis)
        explainedVariance[std::size_t(axis)] = total > 0 ? plane.col(axis).dot(plane.col(axis)) / total : 0.0;
    return plane;
}

DataMap mapRunFeatures(const std::filesystem::path& project, std::int64_t runId, const ProgressCallback& progress,
                       std::stop_token stop) {
    useCpuCores();
    const std::string source = project.string() + " run " + std::to_string(runId);
    Database db = openProject(project, ProjectAccess::ReadOnly);
    const RunModel run = loadRunModel(db, runId, source);
    ProjectStore store(db);
    const auto images = imagesToMap(store, project);
    std::map<std::int64_t, std::int64_t> outputOfClass; // project class id -> the run's output
    for (const auto& summary : store.classSummaries()) {
        const auto found = std::find(run.spec.classes.begin(), run.spec.classes.end(), summary.name);
        if (found != run.spec.classes.end()) outputOfClass[summary.id] = found - run.spec.classes.begin();
    }
    const auto pass = featuresOfImages(store, images, *run.model, run.architecture.preprocess, true, source, progress, stop);
    DataMap map = placed(images, pass.features, progress);
    map.features = "run " + std::to_string(runId) + " (" + run.spec.config.arch + ")";
    for (std::size_t i = 0; i < images.size(); ++i) {
        if (!images[i].classId) continue;
        const auto output = outputOfClass.find(*images[i].classId);
        if (output != outputOfClass.end()) map.points[i].correct = pass.predicted[i] == output->second;
    }
    return map;
}

DataMap mapBackboneFeatures(const std::filesystem::path& project, const PretrainedBackbone& backbone,
                            const ProgressCallback& progress, std::stop_token stop) {
    useCpuCores();
    const std::string source = project.string() + " with " + backbone.name;
    Database db = openProject(project, ProjectAccess::ReadOnly);
    ProjectStore store(db);
    const auto images = imagesToMap(store, project);
    const auto model = backbone.load();
    const auto pass = featuresOfImages(store, images, *model, backbone.transform(), false, source, progress, stop);
    DataMap map = placed(images, pass.features, progress);
    map.features = backbone.name;
    return map;
}

} // namespace graft
