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

LabeledTensors loadPixels(ProjectStore& store, const std::vector<LabeledImage>& images,
                          const std::map<std::int64_t, std::int64_t>& classIndex, const PreprocessSpec& spec) {
    std::vector<LabeledImage> known;
    std::copy_if(images.begin(), images.end(), std::back_inserter(known),
                 [&](const LabeledImage& image) { return classIndex.contains(image.classId); });
    // A chunk's bytes at a time, so the encoded images never all sit in memory beside their pixels.
    constexpr std::size_t kChunk = 512;
    const auto count = std::int64_t(known.size());
    LabeledTensors all{torch::empty({count, spec.channels(), spec.crop, spec.crop}, torch::kUInt8),
                       torch::empty({count}, torch::kInt64)};
    for (std::size_t begin = 0; begin < known.size(); begin += kChunk) {
        const auto end = std::min(known.size(), begin + kChunk);
        const std::vector<LabeledImage> chunk(known.begin() + std::ptrdiff_t(begin), known.begin() + std::ptrdiff_t(end));
        const auto loaded = toPixels(store.imagesForTraining(chunk), classIndex, spec);
        all.images.slice(0, std::int64_t(begin), std::int64_t(end)).copy_(loaded.images);
        all.labels.slice(0, std::int64_t(begin), std::int64_t(end)).copy_(loaded.labels);
    }
    return all;
}

} // namespace graft
