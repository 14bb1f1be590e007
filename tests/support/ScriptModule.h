#pragma once

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

} // namespace graft::testing
