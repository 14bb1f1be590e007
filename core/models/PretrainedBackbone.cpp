#include "models/PretrainedBackbone.h"

#include "models/Architectures.h"
#include "models/BuiltInWeights.h"
#include "models/Prediction.h"
#include "models/ScriptBackbones.h"
#include "models/TorchScriptClassifier.h"
#include "models/Zoo.h"

namespace graft {

PreprocessSpec PretrainedBackbone::transform() const { return input ? *input : architectureSpec(arch).preprocess; }

bool PretrainedBackbone::hasSourceHead() const { return !arch.starts_with(kScriptArchPrefix); }

std::shared_ptr<ClassifierImpl> PretrainedBackbone::load() const {
    if (!hasSourceHead()) {
        const std::lock_guard lock(modelConstructionMutex());
        return std::make_shared<TorchScriptClassifierImpl>(weights, transform().crop, 1);
    }
    return loadClassifierFromWeights(architectureSpec(arch), weights);
}

std::vector<PretrainedBackbone> cachedBackbones(const std::filesystem::path& cacheDir) {
    std::vector<PretrainedBackbone> backbones;
    for (const auto& entry : zooEntries()) {
        const auto path = cachedWeightsPath(entry, cacheDir);
        if (std::filesystem::is_regular_file(path)) backbones.push_back({entry.name, entry.arch, path, entry.input});
    }
    for (const auto& script : scriptBackbones(cacheDir))
        backbones.push_back({script.name, kScriptArchPrefix + script.name, script.file, script.input});
    return backbones;
}

std::optional<PretrainedBackbone> cachedBackbone(const std::string& name, const std::filesystem::path& cacheDir) {
    if (name.starts_with(kBuiltInWeightsPrefix)) {
        const auto builtIn = builtInWeights(name.substr(kBuiltInWeightsPrefix.size()));
        return PretrainedBackbone{name, builtIn.arch, name, std::nullopt};
    }
    for (auto& backbone : cachedBackbones(cacheDir))
        if (backbone.name == name) return backbone;
    return std::nullopt;
}

} // namespace graft
