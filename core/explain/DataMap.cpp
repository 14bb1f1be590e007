#include "explain/DataMap.h"

#include "common/Error.h"
#include "models/Classifier.h"
#include "models/PretrainedBackbone.h"
#include "project/ProjectFile.h"
#include "train/ComputeSetup.h"
#include "train/CpuBlockCache.h"
#include "train/ImageOutputs.h"
#include "train/RunModel.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <map>

namespace graft {
namespace {

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
    const CpuBlockCacheScope blockCache;
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
    const auto outputs = outputsOfImages(project, images, *run.model, run.architecture.preprocess, true, source, progress, stop);
    DataMap map = placed(images, outputs.features, progress);
    map.features = "run " + std::to_string(runId) + " (" + run.spec.config.arch + ")";
    for (std::size_t i = 0; i < images.size(); ++i) {
        if (!images[i].classId) continue;
        const auto output = outputOfClass.find(*images[i].classId);
        if (output == outputOfClass.end()) continue;
        const float* p = outputs.probabilities.ptr<float>(int(i));
        map.points[i].correct = std::max_element(p, p + outputs.probabilities.cols) - p == output->second;
    }
    return map;
}

DataMap mapBackboneFeatures(const std::filesystem::path& project, const PretrainedBackbone& backbone,
                            const ProgressCallback& progress, std::stop_token stop) {
    useCpuCores();
    const CpuBlockCacheScope blockCache;
    const std::string source = project.string() + " with " + backbone.name;
    Database db = openProject(project, ProjectAccess::ReadOnly);
    ProjectStore store(db);
    const auto images = imagesToMap(store, project);
    const auto model = backbone.load();
    const auto outputs = outputsOfImages(project, images, *model, backbone.transform(), false, source, progress, stop);
    DataMap map = placed(images, outputs.features, progress);
    map.features = backbone.name;
    return map;
}

} // namespace graft
