#include "train/ProjectTensors.h"

#include "common/Sha256.h"
#include "data/PreprocessJson.h"
#include "project/ProjectImageBytes.h"

#include <algorithm>

namespace graft {

std::map<std::int64_t, std::int64_t> classIndexByName(ProjectStore& store, const std::vector<std::string>& classNames) {
    std::map<std::int64_t, std::int64_t> index;
    for (const auto& summary : store.classSummaries()) {
        const auto found = std::find(classNames.begin(), classNames.end(), summary.name);
        if (found != classNames.end()) index[summary.id] = found - classNames.begin();
    }
    return index;
}

EncodedImages streamedFromProject(const std::filesystem::path& project, const std::vector<LabeledImage>& images,
                                  const std::map<std::int64_t, std::int64_t>& classIndex) {
    std::vector<std::string> sha256s;
    std::vector<std::int64_t> labels;
    for (const auto& image : images) {
        const auto found = classIndex.find(image.classId);
        if (found == classIndex.end()) continue;
        sha256s.push_back(image.sha256);
        labels.push_back(found->second);
    }
    return {std::make_unique<ProjectImageBytes>(project, std::move(sha256s)), torch::tensor(labels, torch::kInt64)};
}

std::string tensorsKey(const std::vector<LabeledImage>& images, const std::map<std::int64_t, std::int64_t>& classIndex,
                       const PreprocessSpec& spec) {
    std::string description = preprocessJson(spec) + "\n";
    for (const auto& image : images)
        if (classIndex.contains(image.classId)) description.append(image.sha256).append("\n");
    return sha256Hex({reinterpret_cast<const std::uint8_t*>(description.data()), description.size()});
}

LabeledTensors loadTensors(ProjectStore& store, const std::vector<LabeledImage>& images,
                           const std::map<std::int64_t, std::int64_t>& classIndex, const PreprocessSpec& spec) {
    std::vector<LabeledImage> known;
    std::copy_if(images.begin(), images.end(), std::back_inserter(known),
                 [&](const LabeledImage& image) { return classIndex.contains(image.classId); });
    return toTensors(store.imagesForTraining(known), classIndex, spec);
}

} // namespace graft
