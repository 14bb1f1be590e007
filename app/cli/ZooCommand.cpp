#include "Commands.h"
#include "Console.h"
#include "InterruptSignal.h"

#include "models/Architectures.h"
#include "models/BuiltInWeights.h"
#include "models/LayerGraph.h"
#include "models/ScriptBackbones.h"
#include "models/Zoo.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <iostream>
#include <optional>

namespace graft::cli {
namespace {

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string text;
    for (const auto dim : shape) {
        if (!text.empty()) text += 'x';
        text.append(std::to_string(dim)); // not "x" + ...: GCC 12 -O3 warns falsely (-Wrestrict, bug 105329)
    }
    return text;
}

std::optional<ZooEntry> weightsFor(const std::string& arch) {
    for (const auto& entry : zooEntries())
        if (entry.arch == arch) return entry;
    return std::nullopt;
}

int zooList(Arguments& args) {
    const bool json = args.flag("--json");
    args.rejectUnused();
    const auto cache = weightsCacheDir();
    auto list = nlohmann::json::array();
    if (!json) std::printf("%-20s %6s %6s  %s\n", "name", "input", "top-1", "weights (top-1 on the data they were trained on)");
    for (const auto& spec : architectures()) {
        const auto entry = weightsFor(spec.name);
        const bool cached = entry && std::filesystem::exists(cachedWeightsPath(*entry, cache));
        if (json) {
            nlohmann::json weights = nullptr;
            if (entry)
                weights = {{"url", entry->url},
                           {"sha256", entry->sha256},
                           {"imagenetTop1", entry->imagenetTop1},
                           {"cached", cached ? nlohmann::json(cachedWeightsPath(*entry, cache).string()) : nullptr}};
            list.push_back({{"name", spec.name},
                            {"description", spec.description},
                            {"inputSize", spec.preprocess.crop},
                            {"weights", weights}});
            continue;
        }
        const std::string status = !entry  ? "none (train from scratch or from your own file)"
                                   : cached ? "cached in " + cachedWeightsPath(*entry, cache).string()
                                            : "not downloaded (graft-cli zoo download " + entry->name + ")";
        char top1[16] = "-";
        if (entry) std::snprintf(top1, sizeof top1, "%.1f%%", entry->imagenetTop1);
        std::printf("%-20s %3d px %6s  %s\n", spec.name.c_str(), spec.preprocess.crop, top1, status.c_str());
    }
    for (const auto& weights : builtInWeights()) {
        const std::string name = std::string(kBuiltInWeightsPrefix) + weights.name;
        const int inputSize = architectureSpec(weights.arch).preprocess.crop;
        if (json) {
            list.push_back({{"name", name},
                            {"description", weights.arch + " pretrained by graft-cli pretrain, built into Graft"},
                            {"arch", weights.arch},
                            {"inputSize", inputSize},
                            {"weights", {{"builtIn", true}, {"sourceClasses", weights.sourceClasses},
                                         {"sourceTestAccuracy", weights.sourceTestAccuracy}}}});
            continue;
        }
        char accuracy[16];
        std::snprintf(accuracy, sizeof accuracy, "%.1f%%", 100 * weights.sourceTestAccuracy);
        std::printf("%-20s %3d px %6s  built in: %s, %d classes; use with --init %s --new-head\n", name.c_str(), inputSize,
                    accuracy, weights.arch.c_str(), weights.sourceClasses, name.c_str());
    }
    for (const auto& script : scriptBackbones(cache)) {
        const std::string name = kScriptArchPrefix + script.name;
        if (json) {
            list.push_back({{"name", name},
                            {"description", "TorchScript feature extractor from " + script.source},
                            {"inputSize", script.input.crop},
                            {"featureDim", script.featureDim},
                            {"weights", nullptr}});
            continue;
        }
        std::printf("%-20s %3d px %6s  TorchScript, %lld-d features, frozen (from %s)\n", name.c_str(),
                    script.input.crop, "-", (long long)script.featureDim, script.source.c_str());
    }
    if (json) std::cout << list << "\n";
    return 0;
}

std::array<float, 3> threeNumbers(Arguments& args, const std::string& name, std::array<float, 3> fallback) {
    const auto value = args.option(name);
    if (!value) return fallback;
    std::array<float, 3> numbers{};
    char extra = 0;
    if (std::sscanf(value->c_str(), "%f,%f,%f%c", &numbers[0], &numbers[1], &numbers[2], &extra) != 3)
        throw UsageError(name + " expects three comma-separated numbers (R,G,B), not '" + *value + "'");
    return numbers;
}

int zooImportScript(Arguments& args) {
    if (args.positionals().size() != 3) throw UsageError("zoo import-script needs a name and a TorchScript .pt file");
    PreprocessSpec input = architectureSpec("resnet18").preprocess; // ImageNet conventions unless told otherwise
    input.crop = args.integer("--input", input.crop);
    input.resizeShorter = args.integer("--resize", input.crop * 256 / 224);
    input.mean = threeNumbers(args, "--mean", input.mean);
    input.std = threeNumbers(args, "--std", input.std);
    const std::string interpolation = args.text("--interpolation", "bilinear");
    if (interpolation != "bilinear" && interpolation != "bicubic")
        throw UsageError("--interpolation expects bilinear or bicubic, not '" + interpolation + "'");
    input.interpolation = interpolation == "bicubic" ? Interpolation::Bicubic : Interpolation::Bilinear;
    const bool json = args.flag("--json");
    args.rejectUnused();
    if (input.crop < 8 || input.resizeShorter < input.crop)
        throw UsageError("--input must be at least 8 and --resize at least --input");

    const auto script = importScriptBackbone(args.positionals()[1], args.positionals()[2], input, weightsCacheDir());
    const std::string arch = kScriptArchPrefix + script.name;
    if (json) {
        std::cout << nlohmann::json{{"arch", arch}, {"featureDim", script.featureDim}, {"file", script.file.string()}}
                  << "\n";
        return 0;
    }
    std::cout << "Imported " << args.positionals()[2] << " as " << arch << ": " << script.featureDim
              << "-d features from " << input.crop << " px images, frozen.\nTrain a head on it with: graft-cli train "
              << "PROJECT --arch " << arch << "\n";
    return 0;
}

int zooDownload(Arguments& args) {
    if (args.positionals().size() != 2) throw UsageError("zoo download needs a name (see graft-cli zoo list)");
    args.rejectUnused();
    const auto entry = zooEntry(args.positionals()[1]);
    InterruptSignal interrupt;
    ConsoleProgress progress;
    const auto cached = downloadZooWeights(entry, weightsCacheDir(), [&](const Progress& update) {
        progress.update(update.stage, update.done / 1000000, update.total / 1000000, "MB");
    }, interrupt.token());
    progress.finish();
    std::cout << "Downloaded " << entry.name << " weights to " << cached.string() << "\n";
    return 0;
}

int zooImport(Arguments& args) {
    if (args.positionals().size() != 3) throw UsageError("zoo import needs a name and a .pth file");
    args.rejectUnused();
    const auto cached = importZooWeights(zooEntry(args.positionals()[1]), args.positionals()[2], weightsCacheDir());
    std::cout << "Imported " << args.positionals()[2] << " as " << args.positionals()[1] << " weights: "
              << cached.string() << "\n";
    return 0;
}

int zooShow(Arguments& args) {
    if (args.positionals().size() != 2) throw UsageError("zoo show needs an architecture name (see graft-cli zoo list)");
    const int inputSize = args.integer("--input", 0);
    const bool json = args.flag("--json");
    args.rejectUnused();
    const auto graph = buildLayerGraph(args.positionals()[1], 1000, inputSize);

    if (json) {
        auto blocks = nlohmann::json::array();
        for (const auto& block : graph.blocks)
            blocks.push_back({{"name", block.name},
                              {"type", block.type},
                              {"parameters", block.parameters},
                              {"outputShape", block.outputShape},
                              {"flops", block.flops}});
        std::cout << nlohmann::json{{"arch", graph.arch},
                                    {"inputShape", graph.inputShape},
                                    {"blocks", blocks},
                                    {"parameters", graph.totalParameters()},
                                    {"flops", graph.totalFlops()}}
                  << "\n";
        return 0;
    }
    std::printf("%s, input %s, 1000 classes\n\n", graph.arch.c_str(), shapeText(graph.inputShape).c_str());
    std::printf("%-14s %-48s %12s %14s %10s\n", "block", "type", "parameters", "output", "MFLOPs");
    for (const auto& block : graph.blocks)
        std::printf("%-14s %-48s %12lld %14s %10.1f\n", block.name.c_str(), block.type.c_str(),
                    (long long)block.parameters, shapeText(block.outputShape).c_str(), double(block.flops) / 1e6);
    std::printf("%-14s %-48s %12lld %14s %10.1f\n", "total", "", (long long)graph.totalParameters(), "",
                double(graph.totalFlops()) / 1e6);
    return 0;
}

} // namespace

int commandZoo(Arguments& args) {
    const std::string verb = args.positionals().empty() ? "" : args.positionals().front();
    if (verb == "list") return zooList(args);
    if (verb == "show") return zooShow(args);
    if (verb == "download") return zooDownload(args);
    if (verb == "import") return zooImport(args);
    if (verb == "import-script") return zooImportScript(args);
    throw UsageError("zoo needs list, show NAME, download NAME, import NAME FILE or import-script NAME FILE.pt");
}

} // namespace graft::cli
