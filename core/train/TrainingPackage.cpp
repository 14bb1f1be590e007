#include "train/TrainingPackage.h"

#include "common/Error.h"
#include "data/PreprocessJson.h"
#include "train/ByteTensors.h"

#include <torch/serialize.h>

namespace graft {
namespace {

constexpr std::int64_t kPackageVersion = 1;

// Undefined tensors travel as None.
c10::IValue optionalTensor(const torch::Tensor& tensor) {
    return tensor.defined() ? c10::IValue(tensor) : c10::IValue();
}

torch::Tensor tensorOrUndefined(const c10::IValue& value) { return value.isNone() ? torch::Tensor() : value.toTensor(); }

// Encoded images as one byte tensor and the offsets where each starts (and the last ends).
std::pair<torch::Tensor, torch::Tensor> joinedImages(const std::vector<std::vector<std::uint8_t>>& images) {
    std::vector<std::int64_t> offsets{0};
    std::vector<std::uint8_t> joined;
    for (const auto& image : images) {
        joined.insert(joined.end(), image.begin(), image.end());
        offsets.push_back(std::int64_t(joined.size()));
    }
    return {tensorOfBytes(joined), torch::tensor(offsets, torch::kInt64)};
}

std::vector<std::vector<std::uint8_t>> splitImages(const torch::Tensor& joined, const torch::Tensor& offsets) {
    std::vector<std::vector<std::uint8_t>> images;
    const auto* data = joined.data_ptr<std::uint8_t>();
    const auto* offset = offsets.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i + 1 < offsets.numel(); ++i) images.emplace_back(data + offset[i], data + offset[i + 1]);
    return images;
}

} // namespace

std::vector<std::uint8_t> TrainingPackage::toBytes() const {
    c10::impl::GenericList fields(c10::AnyType::get());
    fields.push_back(kPackageVersion);
    fields.push_back(refusal);
    fields.push_back(refusal.empty() ? spec.toJson() : std::string());
    fields.push_back(tensorOfBytes(weights));
    for (const auto* set : {&trainSet, &valSet}) {
        fields.push_back(optionalTensor(set->images));
        fields.push_back(optionalTensor(set->labels));
    }
    for (const auto* images : {&trainEncoded, &valEncoded, &unlabelledEncoded}) {
        const auto [joined, offsets] = joinedImages(*images);
        fields.push_back(joined);
        fields.push_back(offsets);
    }
    fields.push_back(preprocessJson(preprocess));
    fields.push_back(trainImagesKey);
    fields.push_back(valImagesKey);
    fields.push_back(tensorOfBytes(trainingState));
    const auto bytes = torch::pickle_save(fields);
    return {bytes.begin(), bytes.end()};
}

TrainingPackage TrainingPackage::fromBytes(std::span<const std::uint8_t> bytes) {
    TrainingPackage package;
    try {
        const auto list = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end())).toList();
        std::vector<c10::IValue> fields(list.begin(), list.end());
        if (fields.size() != 18 || fields[0].toInt() != kPackageVersion)
            throw Error("rank 0 sent a training package of another Graft version");
        package.refusal = fields[1].toStringRef();
        if (!package.refusal.empty()) return package;
        package.spec = RunSpec::fromJson(fields[2].toStringRef());
        package.weights = bytesOfTensor(fields[3].toTensor());
        std::size_t next = 4;
        for (auto* set : {&package.trainSet, &package.valSet}) {
            set->images = tensorOrUndefined(fields[next++]);
            set->labels = tensorOrUndefined(fields[next++]);
        }
        for (auto* images : {&package.trainEncoded, &package.valEncoded, &package.unlabelledEncoded}) {
            *images = splitImages(fields[next].toTensor(), fields[next + 1].toTensor());
            next += 2;
        }
        package.preprocess = preprocessFromJson(fields[next++].toStringRef(), "rank 0's preprocessing");
        package.trainImagesKey = fields[next++].toStringRef();
        package.valImagesKey = fields[next++].toStringRef();
        package.trainingState = bytesOfTensor(fields[next].toTensor());
    } catch (const Error&) {
        throw;
    } catch (const std::exception& error) {
        throw Error(std::string("rank 0 sent something that is not this Graft's training package: ") + error.what());
    }
    return package;
}

} // namespace graft
