#include "data/TensorDataset.h"

#include <ATen/Parallel.h>

namespace graft {

LabeledTensors toTensors(const std::vector<ImageForTraining>& images, const std::map<std::int64_t, std::int64_t>& classIndex,
                         const PreprocessSpec& spec) {
    const auto count = std::int64_t(images.size());
    const int channels = spec.channels();
    auto pixels = torch::empty({count, channels, spec.crop, spec.crop}, torch::kFloat32);
    auto labels = torch::empty({count}, torch::kInt64);
    auto* labelData = labels.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < count; ++i) labelData[i] = classIndex.at(images[std::size_t(i)].classId);

    at::parallel_for(0, count, 64, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i)
            pixels[i].copy_(preprocessForEval(decodeImage(images[std::size_t(i)].encoded, spec.color), spec));
    });
    return {pixels, labels};
}

} // namespace graft
