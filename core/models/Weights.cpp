#include "models/Weights.h"

#include "common/Error.h"

#include <torch/serialize.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace graft {
namespace {

std::vector<std::pair<std::string, torch::Tensor>> namedTensors(const torch::nn::Module& module) {
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto& item : module.named_parameters()) tensors.emplace_back(item.key(), item.value());
    for (const auto& item : module.named_buffers()) tensors.emplace_back(item.key(), item.value());
    return tensors;
}

std::string shapeText(const torch::Tensor& tensor) {
    std::ostringstream text;
    text << tensor.sizes();
    return text.str();
}

c10::Dict<c10::IValue, c10::IValue> unpickleDict(std::span<const std::uint8_t> weights, const std::string& source) {
    c10::IValue value;
    try {
        value = torch::pickle_load(std::vector<char>(weights.begin(), weights.end()));
    } catch (const c10::Error& error) {
        throw Error(source + ": not a weights file Graft can read (" + error.what_without_backtrace() + ")");
    }
    if (!value.isGenericDict()) throw Error(source + ": not a weights file (expected a dict of tensors)");
    return value.toGenericDict();
}

} // namespace

std::vector<std::uint8_t> serializeWeights(const torch::nn::Module& module) {
    c10::Dict<std::string, torch::Tensor> dict;
    for (const auto& [name, tensor] : namedTensors(module)) dict.insert(name, tensor.detach().cpu().contiguous());
    const std::vector<char> bytes = torch::pickle_save(dict);
    return {bytes.begin(), bytes.end()};
}

WeightLoadReport loadMatchingWeights(torch::nn::Module& module, std::span<const std::uint8_t> weights,
                                     const std::string& source) {
    const auto dict = unpickleDict(weights, source);
    WeightLoadReport report;
    torch::NoGradGuard noGrad;
    for (auto& [name, tensor] : namedTensors(module)) {
        const auto found = dict.find(name);
        if (found == dict.end() || !found->value().isTensor()) {
            report.missing.push_back(name);
            continue;
        }
        const torch::Tensor stored = found->value().toTensor();
        if (stored.sizes() != tensor.sizes()) {
            report.skipped.push_back(name + ": shape " + shapeText(stored) + " in " + source + ", model has " +
                                     shapeText(tensor));
            continue;
        }
        tensor.copy_(stored);
        report.loaded.push_back(name);
    }
    return report;
}

void loadAllWeights(torch::nn::Module& module, std::span<const std::uint8_t> weights, const std::string& source) {
    const auto report = loadMatchingWeights(module, weights, source);
    if (!report.skipped.empty()) throw Error(source + ": " + report.skipped.front());
    if (!report.missing.empty()) throw Error(source + ": has no tensor '" + report.missing.front() + "'");
}

std::vector<std::uint8_t> readWeightsFile(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw Error(path.string() + ": cannot be read (" + std::strerror(errno) + ")");
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

void writeWeightsFile(const std::filesystem::path& path, std::span<const std::uint8_t> weights) {
    const auto temporary = std::filesystem::path(path.string() + ".partial");
    std::string failure;
    {
        std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
        file.write(reinterpret_cast<const char*>(weights.data()), std::streamsize(weights.size()));
        if (!file.flush()) failure = std::strerror(errno);
    }
    std::error_code error;
    if (failure.empty()) {
        std::filesystem::rename(temporary, path, error);
        if (error) failure = error.message();
    }
    if (!failure.empty()) {
        std::filesystem::remove(temporary, error);
        throw Error(path.string() + ": cannot be written (" + failure + ")");
    }
}

} // namespace graft
