#include "models/ScriptBackbones.h"

#include "common/Error.h"
#include "common/FindByName.h"
#include "common/Sha256.h"
#include "models/TorchScriptClassifier.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>

namespace graft {
namespace fs = std::filesystem;
namespace {

fs::path scriptsDir(const fs::path& cacheDir) { return cacheDir / "scripts"; }

void checkName(const std::string& name) {
    const bool valid = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    }) && name.front() != '.';
    if (!valid) throw Error("'" + name + "' is not a usable backbone name: use letters, digits, '_', '-' and '.'");
}

// Writes beside the target and renames, so an interrupted import leaves the old state.
void writeAtomically(const fs::path& target, const std::function<void(const fs::path&)>& write) {
    const auto partial = fs::path(target.string() + ".partial");
    std::error_code error;
    try {
        write(partial);
    } catch (...) {
        fs::remove(partial, error);
        throw;
    }
    fs::rename(partial, target, error);
    if (error) {
        fs::remove(partial, error);
        throw Error(target.string() + ": cannot be written (" + error.message() + ")");
    }
}

nlohmann::json describe(const ScriptBackbone& backbone) {
    const auto& in = backbone.input;
    return {{"name", backbone.name},
            {"featureDim", backbone.featureDim},
            {"sha256", backbone.sha256},
            {"source", backbone.source},
            {"resizeShorter", in.resizeShorter},
            {"crop", in.crop},
            {"interpolation", in.interpolation == Interpolation::Bicubic ? "bicubic" : "bilinear"},
            {"mean", in.mean},
            {"std", in.std}};
}

ScriptBackbone readDescription(const fs::path& descriptionFile) {
    try {
        std::ifstream in(descriptionFile);
        const auto json = nlohmann::json::parse(in);
        ScriptBackbone backbone;
        backbone.name = json.at("name").get<std::string>();
        backbone.file = descriptionFile.parent_path() / (backbone.name + ".pt");
        backbone.featureDim = json.at("featureDim").get<std::int64_t>();
        backbone.sha256 = json.at("sha256").get<std::string>();
        backbone.source = json.at("source").get<std::string>();
        backbone.input.resizeShorter = json.at("resizeShorter").get<int>();
        backbone.input.crop = json.at("crop").get<int>();
        backbone.input.interpolation =
            json.at("interpolation").get<std::string>() == "bicubic" ? Interpolation::Bicubic : Interpolation::Bilinear;
        backbone.input.color = ColorMode::Rgb;
        backbone.input.mean = json.at("mean").get<std::array<float, 3>>();
        backbone.input.std = json.at("std").get<std::array<float, 3>>();
        return backbone;
    } catch (const nlohmann::json::exception& error) {
        throw Error(descriptionFile.string() + ": unreadable description of an imported backbone (" + error.what() +
                    "); import the script again");
    }
}

} // namespace

ScriptBackbone importScriptBackbone(const std::string& name, const fs::path& file, const PreprocessSpec& input,
                                    const fs::path& cacheDir) {
    checkName(name);
    ScriptBackbone backbone;
    backbone.name = name;
    backbone.input = input;
    backbone.input.color = ColorMode::Rgb;
    backbone.featureDim = TorchScriptClassifierImpl(file, input.crop, 2).featureDim();
    backbone.sha256 = fileSha256Hex(file);
    backbone.source = fs::absolute(file).string();

    const auto dir = scriptsDir(cacheDir);
    std::error_code error;
    fs::create_directories(dir, error);
    if (error) throw Error(dir.string() + ": cannot be created (" + error.message() + ")");
    backbone.file = dir / (name + ".pt");
    writeAtomically(backbone.file, [&](const fs::path& partial) {
        std::error_code copyError;
        fs::copy_file(file, partial, fs::copy_options::overwrite_existing, copyError);
        if (copyError) throw Error(partial.string() + ": cannot be written (" + copyError.message() + ")");
    });
    writeAtomically(dir / (name + ".json"), [&](const fs::path& partial) {
        std::ofstream out(partial, std::ios::trunc);
        out << describe(backbone).dump(2) << '\n';
        out.close();
        if (!out) throw Error(partial.string() + ": cannot be written");
    });
    return backbone;
}

std::vector<ScriptBackbone> scriptBackbones(const fs::path& cacheDir) {
    std::vector<ScriptBackbone> found;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(scriptsDir(cacheDir), error))
        if (entry.path().extension() == ".json" && fs::exists(fs::path(entry.path()).replace_extension(".pt")))
            found.push_back(readDescription(entry.path()));
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return found;
}

ScriptBackbone scriptBackbone(const std::string& name, const fs::path& cacheDir) {
    return findByName(scriptBackbones(cacheDir), name, "imported TorchScript backbone");
}

} // namespace graft
