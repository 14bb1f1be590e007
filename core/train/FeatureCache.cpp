#include "train/FeatureCache.h"

#include "common/Sha256.h"
#include "export/FoldedClassifier.h"

#include <algorithm>

namespace graft {
namespace {

// Name, shape, dtype and the SHA-256 of the bytes: one line of the key's description.
std::string describeTensor(const std::string& name, const torch::Tensor& tensor) {
    const auto contiguous = tensor.detach().to(torch::kCPU).contiguous();
    std::string line = name + " " + c10::toString(contiguous.scalar_type());
    for (const auto dim : contiguous.sizes()) line.append(" ").append(std::to_string(dim));
    const auto* bytes = static_cast<const std::uint8_t*>(contiguous.data_ptr());
    return line + " " + sha256Hex({bytes, std::size_t(contiguous.nbytes())}) + "\n";
}

bool inPrefix(const std::string& name, const std::vector<NetworkBlock>& blocks, std::size_t prefixLength) {
    for (std::size_t i = 0; i < prefixLength; ++i)
        for (const auto& prefix : blocks[i].parameterPrefixes)
            if (name.starts_with(prefix)) return true;
    return false;
}

} // namespace

std::string FeatureCache::keyFor(ClassifierImpl& model, const std::vector<NetworkBlock>& blocks, std::size_t prefixLength,
                                 const torch::Tensor& inputs, const std::string& inputsKey) {
    std::string description;
    for (std::size_t i = 0; i < prefixLength; ++i) description += blocks[i].name + "/";
    description += "\n";
    for (const auto& item : model.named_parameters())
        if (inPrefix(item.key(), blocks, prefixLength)) description += describeTensor(item.key(), item.value());
    for (const auto& item : model.named_buffers())
        if (inPrefix(item.key(), blocks, prefixLength)) description += describeTensor(item.key(), item.value());
    // The shape too, so that a key given for other inputs than these cannot hand out features of
    // the wrong number of images.
    if (inputsKey.empty()) description += describeTensor("inputs", inputs);
    else description += "inputs " + inputsKey + " " + std::to_string(inputs.size(0)) + "\n";
    return sha256Hex({reinterpret_cast<const std::uint8_t*>(description.data()), description.size()});
}

std::optional<torch::Tensor> FeatureCache::features(ClassifierImpl& model, const std::vector<NetworkBlock>& blocks,
                                                    std::size_t prefixLength, const torch::Tensor& inputs,
                                                    const std::string& inputsKey, int batchSize, torch::Device device,
                                                    std::stop_token stop,
                                                    const std::function<torch::Tensor(const torch::Tensor&)>& modelInput) {
    const auto key = keyFor(model, blocks, prefixLength, inputs, inputsKey);
    if (const auto found = entries_.find(key); found != entries_.end()) {
        ++hits_;
        return found->second;
    }
    torch::NoGradGuard noGrad;
    const bool wasTraining = model.is_training();
    const auto prefix = prefixFunction(model, blocks, prefixLength, device);
    std::vector<torch::Tensor> batches;
    for (std::int64_t begin = 0; begin < inputs.size(0); begin += batchSize) {
        if (stop.stop_requested()) {
            model.train(wasTraining);
            return std::nullopt;
        }
        const auto batch = inputs.slice(0, begin, std::min<std::int64_t>(begin + batchSize, inputs.size(0)));
        batches.push_back(prefix(modelInput ? modelInput(batch) : batch.to(device)).to(torch::kCPU));
    }
    model.train(wasTraining);
    ++misses_;
    auto features = batches.empty() ? torch::empty({0}) : torch::cat(batches);
    entries_[key] = features;
    return features;
}

std::int64_t FeatureCache::bytes() const {
    std::int64_t total = 0;
    for (const auto& [key, tensor] : entries_) total += std::int64_t(tensor.nbytes());
    return total;
}

} // namespace graft
