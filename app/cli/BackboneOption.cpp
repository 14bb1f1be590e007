#include "BackboneOption.h"

#include "Arguments.h"

#include "common/Error.h"
#include "models/Zoo.h"

namespace graft::cli {

PretrainedBackbone backboneOption(const std::string& name, const std::optional<std::string>& weights) {
    if (weights) return {std::filesystem::path(*weights).filename().string(), name, *weights, std::nullopt};
    try {
        if (auto backbone = cachedBackbone(name, weightsCacheDir())) return *backbone;
    } catch (const Error& error) { // an unknown builtin:NAME
        throw UsageError(std::string("--backbone: ") + error.what());
    }
    std::string known;
    for (const auto& backbone : cachedBackbones(weightsCacheDir())) known += (known.empty() ? "" : ", ") + backbone.name;
    throw UsageError("--backbone " + name + " is not in the weights cache (" + (known.empty() ? "empty" : known) +
                     "); name an architecture with --weights FILE instead, or built-in weights as builtin:NAME");
}

} // namespace graft::cli
