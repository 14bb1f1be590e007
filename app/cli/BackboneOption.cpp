#include "BackboneOption.h"

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

RunOrBackbone runOrBackboneOption(Arguments& args, const std::string& runUse) {
    RunOrBackbone chosen;
    if (const auto run = args.option("--run")) {
        try {
            chosen.runId = std::stoll(*run);
        } catch (const std::exception&) {
            throw UsageError("--run expects a run id, not '" + *run + "'");
        }
    }
    const auto backbone = args.option("--backbone");
    const auto weights = args.option("--weights");
    if (weights && !backbone) throw UsageError("--weights FILE goes with --backbone ARCH");
    if (backbone) chosen.backbone = backboneOption(*backbone, weights);
    if (chosen.runId.has_value() == chosen.backbone.has_value())
        throw UsageError("name either --run ID (" + runUse + ") or --backbone NAME");
    return chosen;
}

} // namespace graft::cli
