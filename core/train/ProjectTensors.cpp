#include "train/ProjectTensors.h"

#include "common/Sha256.h"
#include "data/PreprocessJson.h"

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

EncodedImages loadEncoded(ProjectStore& store, const std::vector<LabeledImage>& images,
                          const std::map<std::int64_t, std::int64_t>& classIndex) {
    auto read = store.imagesForTraining(images);
    std::erase_if(read, [&](const ImageForTraining& image) { return !classIndex.contains(image.classId); });
    EncodedImages loaded{{}, torch::empty({std::int64_t(read.size())}, torch::kInt64)};
    auto* labels = loaded.labels.data_ptr<std::int64_t>();
    for (std::size_t i = 0; i < read.size(); ++i) {
        labels[i] = classIndex.at(read[i].classId);
        loaded.encoded.push_back(std::move(read[i].encoded));
    }
    return loaded;
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
