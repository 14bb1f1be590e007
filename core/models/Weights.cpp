#include "models/Weights.h"

#include "common/Error.h"

#include <torch/serialize.h>

#include <map>
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

std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (std::size_t i = 0; i < names.size() && i < 5; ++i) text += (i ? ", " : "") + names[i];
    if (names.size() > 5) text += " and " + std::to_string(names.size() - 5) + " more";
    return text;
}

} // namespace

NamedTensors unpickleTensors(std::span<const std::uint8_t> weights, const std::string& source) {
    c10::IValue value;
    try {
        value = torch::pickle_load(std::vector<char>(weights.begin(), weights.end()));
    } catch (const c10::Error& error) {
        throw Error(source + ": not a weights file Graft can read (" + error.what_without_backtrace() + ")");
    }
    if (!value.isGenericDict()) throw Error(source + ": not a weights file (expected a dict of tensors)");
    NamedTensors tensors;
    for (const auto& entry : value.toGenericDict()) {
        if (!entry.key().isString() || !entry.value().isTensor())
            throw Error(source + ": not a weights file (expected a dict of tensors)");
        tensors.emplace_back(entry.key().toStringRef(), entry.value().toTensor());
    }
    return tensors;
}

std::vector<std::uint8_t> serializeWeights(const torch::nn::Module& module) {
    return serializeWeights(module, [](const std::string&) { return true; });
}

std::vector<std::uint8_t> serializeWeights(const torch::nn::Module& module, const std::function<bool(const std::string&)>& include) {
    c10::Dict<std::string, torch::Tensor> dict;
    for (const auto& [name, tensor] : namedTensors(module))
        if (include(name)) dict.insert(name, tensor.detach().cpu().contiguous());
    const std::vector<char> bytes = torch::pickle_save(dict);
    return {bytes.begin(), bytes.end()};
}

WeightLoadReport loadMatchingWeights(torch::nn::Module& module, std::span<const std::uint8_t> weights,
                                     const std::string& source) {
    return loadMatchingWeights(module, unpickleTensors(weights, source), source);
}

WeightLoadReport loadMatchingWeights(torch::nn::Module& module, const NamedTensors& tensors, const std::string& source) {
    std::map<std::string, torch::Tensor> available(tensors.begin(), tensors.end());
    WeightLoadReport report;
    torch::NoGradGuard noGrad;
    for (auto& [name, tensor] : namedTensors(module)) {
        const auto found = available.find(name);
        if (found == available.end()) {
            report.missing.push_back(name);
            continue;
        }
        const torch::Tensor stored = found->second;
        available.erase(found);
        if (stored.sizes() != tensor.sizes()) {
            report.skipped.push_back(name + ": shape " + shapeText(stored) + " in " + source + ", model has " +
                                     shapeText(tensor));
            continue;
        }
        tensor.copy_(stored);
        report.loaded.push_back(name);
    }
    for (const auto& [name, tensor] : tensors)
        if (available.contains(name)) report.unexpected.push_back(name);
    return report;
}

void loadAllWeights(torch::nn::Module& module, std::span<const std::uint8_t> weights, const std::string& source) {
    loadAllWeights(module, unpickleTensors(weights, source), source);
}

void loadAllWeights(torch::nn::Module& module, const NamedTensors& tensors, const std::string& source) {
    const auto report = loadMatchingWeights(module, tensors, source);
    if (!report.skipped.empty()) throw Error(source + ": " + report.skipped.front());
    if (!report.missing.empty()) throw Error(source + ": missing " + joined(report.missing));
    if (!report.unexpected.empty()) throw Error(source + ": unexpected " + joined(report.unexpected));
}

} // namespace graft
