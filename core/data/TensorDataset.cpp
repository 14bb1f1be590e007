#include "data/TensorDataset.h"

#include <ATen/Parallel.h>

namespace graft {
namespace {

LabeledTensors decodeAll(const std::vector<ImageForTraining>& images, const std::map<std::int64_t, std::int64_t>& classIndex,
                         const PreprocessSpec& spec, torch::ScalarType type,
                         torch::Tensor (*preprocess)(const cv::Mat&, const PreprocessSpec&)) {
    const auto count = std::int64_t(images.size());
    auto pixels = torch::empty({count, spec.channels(), spec.crop, spec.crop}, type);
    auto labels = torch::empty({count}, torch::kInt64);
    auto* labelData = labels.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < count; ++i) labelData[i] = classIndex.at(images[std::size_t(i)].classId);

    at::parallel_for(0, count, 64, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i)
            pixels[i].copy_(preprocess(decodeImage(images[std::size_t(i)].encoded, spec.color), spec));
    });
    return {pixels, labels};
}

} // namespace

LabeledTensors toTensors(const std::vector<ImageForTraining>& images, const std::map<std::int64_t, std::int64_t>& classIndex,
                         const PreprocessSpec& spec) {
    return decodeAll(images, classIndex, spec, torch::kFloat32, &preprocessForEval);
}

LabeledTensors toPixels(const std::vector<ImageForTraining>& images, const std::map<std::int64_t, std::int64_t>& classIndex,
                        const PreprocessSpec& spec) {
    return decodeAll(images, classIndex, spec, torch::kUInt8, &pixelsForEval);
}

} // namespace graft
