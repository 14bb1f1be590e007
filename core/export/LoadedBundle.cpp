#include "export/LoadedBundle.h"

#include "common/Error.h"
#include "data/PreprocessJson.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace graft {
namespace {

std::string readText(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(file.string() + ": missing from the bundle (or unreadable)");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

LoadedBundle loadBundle(const std::filesystem::path& folder) {
    if (!std::filesystem::is_directory(folder)) throw Error(folder.string() + ": not a bundle folder");
    LoadedBundle bundle;
    bundle.input = preprocessFromJson(readText(folder / "preprocess.json"), (folder / "preprocess.json").string());
    try {
        const auto labels = nlohmann::json::parse(readText(folder / "labels.json"));
        if (!labels.empty() && labels.front().is_object()) {
            for (const auto& task : labels) {
                bundle.tasks.push_back({task.at("task").get<std::string>(), task.at("classes").get<std::vector<std::string>>()});
                bundle.labels.insert(bundle.labels.end(), bundle.tasks.back().classes.begin(), bundle.tasks.back().classes.end());
            }
        } else {
            bundle.labels = labels.get<std::vector<std::string>>();
        }
    } catch (const nlohmann::json::exception& error) {
        throw Error((folder / "labels.json").string() + ": not a list of class names, nor of tasks with theirs (" + error.what() + ")");
    }
    if (const auto calibration = folder / "calibration.json"; std::filesystem::exists(calibration)) {
        try {
            bundle.temperature = nlohmann::json::parse(readText(calibration)).at("temperature").get<double>();
        } catch (const nlohmann::json::exception& error) {
            throw Error(calibration.string() + ": no temperature in it (" + error.what() + ")");
        }
        if (!(bundle.temperature > 0)) throw Error(calibration.string() + ": the temperature must be positive");
    }
    if (const auto metrics = folder / "metrics.json"; std::filesystem::exists(metrics)) {
        try {
            const auto json = nlohmann::json::parse(readText(metrics));
            bundle.arch = json.value("arch", "");
            if (json.contains("heldOut")) {
                const auto& heldOut = json["heldOut"];
                if (heldOut.contains("unfamiliarBelow")) bundle.unfamiliarBelow = heldOut["unfamiliarBelow"].get<double>();
                bundle.heldOutImages = heldOut.value("images", std::int64_t(0));
            }
        } catch (const nlohmann::json::exception& error) {
            throw Error(metrics.string() + ": malformed (" + error.what() + ")");
        }
    }
    const auto model = folder / "model.pt";
    if (!std::filesystem::is_regular_file(model)) throw Error(model.string() + ": missing from the bundle");
    try {
        bundle.model = torch::jit::load(model.string(), torch::kCPU);
    } catch (const c10::Error& error) {
        throw Error(model.string() + ": not a TorchScript file: " + error.what_without_backtrace());
    }
    bundle.model.eval();
    return bundle;
}

} // namespace graft
