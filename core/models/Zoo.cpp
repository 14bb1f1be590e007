#include "models/Zoo.h"

#include "common/Error.h"
#include "common/FindByName.h"
#include "common/Sha256.h"
#include "models/Architectures.h"
#include "models/Classifier.h"
#include "models/Download.h"
#include "models/PthReader.h"
#include "models/Weights.h"
#include "models/ZooManifest.h"

#include <nlohmann/json.hpp>

#include <cstdlib>

namespace graft {
namespace {

namespace fs = std::filesystem;

// A file is only cached once it loads into its architecture with every tensor matched.
void checkLoads(const ZooEntry& entry, const fs::path& file) {
    auto model = createClassifier(architectureSpec(entry.arch), 1000);
    loadAllWeights(*model, readPthFile(file), file.string());
}

} // namespace

std::vector<ZooEntry> zooEntries() {
    std::vector<ZooEntry> entries;
    // Kept in a variable: a range-for over parse(...).at(...) would iterate a destroyed temporary.
    const auto manifest = nlohmann::json::parse(kZooManifestJson);
    for (const auto& item : manifest.at("entries")) {
        const auto& in = item.at("input");
        PreprocessSpec input;
        input.resizeShorter = in.at("resize");
        input.crop = in.at("crop");
        input.color = ColorMode::Rgb;
        input.interpolation = in.at("interpolation") == "bicubic" ? Interpolation::Bicubic : Interpolation::Bilinear;
        input.mean = in.at("mean");
        input.std = in.at("std");
        entries.push_back({item.at("name"), item.at("arch"), item.at("weights"), item.at("url"), item.at("fileName"),
                           item.at("sha256"), item.at("imagenetTop1"), item.at("parameters"), input});
    }
    return entries;
}

ZooEntry zooEntry(const std::string& name) { return findByName(zooEntries(), name, "zoo entry"); }

fs::path weightsCacheDir() {
    if (const char* dir = std::getenv("GRAFT_CACHE_DIR"); dir && *dir) return dir;
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return fs::path(xdg) / "graft" / "weights";
    const char* home = std::getenv("HOME");
    return fs::path(home ? home : ".") / ".cache" / "graft" / "weights";
}

fs::path cachedWeightsPath(const ZooEntry& entry, const fs::path& cacheDir) { return cacheDir / entry.fileName; }

fs::path importZooWeights(const ZooEntry& entry, const fs::path& file, const fs::path& cacheDir) {
    const std::string actual = fileSha256Hex(file);
    if (!sha256Matches(actual, entry.sha256))
        throw Error(file.string() + ": SHA-256 is " + actual + ", but " + entry.name + " (" + entry.fileName +
                    ") has " + entry.sha256 + "; this is not that file");
    checkLoads(entry, file);
    const auto target = cachedWeightsPath(entry, cacheDir);
    std::error_code error;
    fs::create_directories(cacheDir, error);
    fs::copy_file(file, target, fs::copy_options::overwrite_existing, error);
    if (error) throw Error(target.string() + ": cannot be written (" + error.message() + ")");
    return target;
}

fs::path downloadZooWeights(const ZooEntry& entry, const fs::path& cacheDir, ProgressCallback progress,
                            std::stop_token stop) {
    const auto target = cachedWeightsPath(entry, cacheDir);
    downloadFile({entry.url, target, entry.sha256}, {std::move(progress), stop});
    try {
        checkLoads(entry, target);
    } catch (const Error&) {
        std::error_code ignored;
        fs::remove(target, ignored);
        throw;
    }
    return target;
}

} // namespace graft
