#include "train/TrainingPackage.h"

#include "common/Error.h"
#include "data/PreprocessJson.h"

#include <torch/serialize.h>

namespace graft {
namespace {

constexpr std::int64_t kPackageVersion = 1;

torch::Tensor tensorOf(const std::vector<std::uint8_t>& bytes) {
    return torch::from_blob(const_cast<std::uint8_t*>(bytes.data()), {std::int64_t(bytes.size())}, torch::kUInt8).clone();
}

std::vector<std::uint8_t> bytesOf(const torch::Tensor& tensor) {
    const auto contiguous = tensor.contiguous();
    const auto* data = contiguous.data_ptr<std::uint8_t>();
    return {data, data + contiguous.numel()};
}

// Undefined tensors travel as None.
c10::IValue optionalTensor(const torch::Tensor& tensor) {
    return tensor.defined() ? c10::IValue(tensor) : c10::IValue();
}

torch::Tensor tensorOrUndefined(const c10::IValue& value) { return value.isNone() ? torch::Tensor() : value.toTensor(); }

} // namespace

std::vector<std::uint8_t> TrainingPackage::toBytes() const {
    std::vector<std::int64_t> offsets{0};
    std::vector<std::uint8_t> joined;
    for (const auto& image : encodedImages) {
        joined.insert(joined.end(), image.begin(), image.end());
        offsets.push_back(std::int64_t(joined.size()));
    }
    c10::impl::GenericList fields(c10::AnyType::get());
    for (c10::IValue field : {c10::IValue(kPackageVersion), c10::IValue(refusal),
                              c10::IValue(refusal.empty() ? spec.toJson() : std::string()), c10::IValue(tensorOf(weights)),
                              optionalTensor(trainSet.images), optionalTensor(trainSet.labels), c10::IValue(tensorOf(joined)),
                              c10::IValue(torch::tensor(offsets, torch::kInt64)), c10::IValue(preprocessJson(preprocess)),
                              c10::IValue(tensorOf(trainingState))})
        fields.push_back(std::move(field));
    const auto bytes = torch::pickle_save(fields);
    return {bytes.begin(), bytes.end()};
}

TrainingPackage TrainingPackage::fromBytes(std::span<const std::uint8_t> bytes) {
    TrainingPackage package;
    try {
        const auto value = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
        const auto list = value.toList();
        std::vector<c10::IValue> fields(list.begin(), list.end());
        if (fields.size() != 10 || fields[0].toInt() != kPackageVersion) throw Error("rank 0 sent a training package of another Graft version");
        package.refusal = fields[1].toStringRef();
        if (!package.refusal.empty()) return package;
        package.spec = RunSpec::fromJson(fields[2].toStringRef());
        package.weights = bytesOf(fields[3].toTensor());
        package.trainSet.images = tensorOrUndefined(fields[4]);
        package.trainSet.labels = tensorOrUndefined(fields[5]);
        const auto joined = fields[6].toTensor();
        const auto offsets = fields[7].toTensor();
        const auto* data = joined.data_ptr<std::uint8_t>();
        const auto* offset = offsets.data_ptr<std::int64_t>();
        for (std::int64_t i = 0; i + 1 < offsets.numel(); ++i)
            package.encodedImages.emplace_back(data + offset[i], data + offset[i + 1]);
        package.preprocess = preprocessFromJson(fields[8].toStringRef(), "rank 0's preprocessing");
        package.trainingState = bytesOf(fields[9].toTensor());
    } catch (const Error&) {
        throw;
    } catch (const std::exception& error) {
        throw Error(std::string("rank 0 sent something that is not this Graft's training package: ") + error.what());
    }
    return package;
}

} // namespace graft
