#pragma once

#include "data/Preprocess.h"
#include "models/ScriptBackbones.h"

#include <torch/script.h>

#include <filesystem>
#include <string>

namespace graft::testing {

// A TorchScript file `dir`/`name`.pt whose methods are `source`, as a user's exported backbone.
inline std::filesystem::path writeScriptModule(const std::filesystem::path& dir, const std::string& name, const std::string& source) {
    torch::jit::Module module(name);
    module.define(source);
    const auto file = dir / (name + ".pt");
    module.save(file.string());
    return file;
}

// Two imported feature extractors for ranking, one clearly better: "pixels" (pooled 32 px RGB,
// which tells shapes apart) and "noise" (random features, which cannot).
inline void importPixelsAndNoiseBackbones(const std::filesystem::path& dir, const std::filesystem::path& cache) {
    PreprocessSpec input;
    input.resizeShorter = input.crop = 32;
    input.color = ColorMode::Rgb;
    importScriptBackbone("pixels", writeScriptModule(dir, "Pixels", R"(
def forward(self, x):
    return torch.flatten(torch.adaptive_avg_pool2d(x, [4, 4]), 1)
)"), input, cache);
    importScriptBackbone("noise", writeScriptModule(dir, "Noise", R"(
def forward(self, x):
    return torch.randn([x.size(0), 48])
)"), input, cache);
}

} // namespace graft::testing
