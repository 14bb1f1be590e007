#pragma once

#include "data/Preprocess.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace graft {

class ClassifierImpl;

// Pretrained weights whose features are worth looking at before any training: an architecture
// and a weights file with its classifier head, or an imported TorchScript feature extractor
// ("script:<name>", `weights` its file), which has no head of its own.
struct PretrainedBackbone {
    std::string name;
    std::string arch;
    std::filesystem::path weights;
    std::optional<PreprocessSpec> input; // the transform the weights expect; else the architecture's

    PreprocessSpec transform() const;
    bool hasSourceHead() const;
    // On the CPU. A script gets Graft's own untrained one-output head, not a source classifier.
    std::shared_ptr<ClassifierImpl> load() const;
};

// Every backbone in `cacheDir`: the zoo's weights downloaded or imported, and TorchScript imports.
std::vector<PretrainedBackbone> cachedBackbones(const std::filesystem::path& cacheDir);
// The one of them named `name`, or the built-in weights "builtin:NAME" (an unknown NAME throws,
// listing the known ones); none when it is not there.
std::optional<PretrainedBackbone> cachedBackbone(const std::string& name, const std::filesystem::path& cacheDir);

} // namespace graft
