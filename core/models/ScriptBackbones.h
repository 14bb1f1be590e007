#pragma once

#include "data/Preprocess.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace graft {

// A TorchScript feature extractor the user imported, kept in the weights cache beside the zoo's
// files, with the preprocessing it expects. Architectures name it "script:<name>".
struct ScriptBackbone {
    std::string name;
    std::filesystem::path file;
    PreprocessSpec input;
    std::int64_t featureDim = 0;
    std::string sha256;
    std::string source; // the path it was imported from
};

inline constexpr const char* kScriptArchPrefix = "script:";

// Loads and probes `file` (so a broken or non-feature script is refused with its reason), then
// copies it and a description into cacheDir/scripts. Replaces an earlier import of the same name.
ScriptBackbone importScriptBackbone(const std::string& name, const std::filesystem::path& file,
                                    const PreprocessSpec& input, const std::filesystem::path& cacheDir);

std::vector<ScriptBackbone> scriptBackbones(const std::filesystem::path& cacheDir);
// Throws, listing the imported names, when there is no such import.
ScriptBackbone scriptBackbone(const std::string& name, const std::filesystem::path& cacheDir);

} // namespace graft
