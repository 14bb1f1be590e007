#include "data/TensorDataset.h"

#include <ATen/Parallel.h>

#include <cstring>

namespace graft {

LabeledTensors toTensors(const std::vector<ImageForTraining>& images, const std::map<std::int64_t, std::int64_t>& classIndex,
                         const PreprocessSpec& spec) {
    const auto count = std::int64_t(images.size());
    const int channels = spec.channels();
    auto pixels = torch::empty({count, spec.crop, spec.crop, channels}, torch::kFloat32);
    auto labels = torch::empty({count}, torch::kInt64);
    auto* labelData = labels.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < count; ++i) labelData[i] = classIndex.at(images[std::size_t(i)].classId);

    const std::size_t bytesPerImage = std::size_t(spec.crop) * spec.crop * channels * sizeof(float);
    auto* pixelData = static_cast<std::uint8_t*>(pixels.data_ptr());
    at::parallel_for(0, count, 64, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
            const cv::Mat image = preprocessForEval(decodeImage(images[std::size_t(i)].encoded, spec.color), spec);
            std::memcpy(pixelData + std::size_t(i) * bytesPerImage, image.data, bytesPerImage);
        }
    });
    return {pixels.permute({0, 3, 1, 2}).contiguous(), labels};
}

} // namespace graft
