#include "Commands.h"

#include "models/Architectures.h"
#include "models/LayerGraph.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

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

int zooList(Arguments& args) {
    const bool json = args.flag("--json");
    args.rejectUnused();
    auto list = nlohmann::json::array();
    for (const auto& spec : architectures()) {
        if (json) list.push_back({{"name", spec.name}, {"description", spec.description}, {"inputSize", spec.preprocess.crop}});
        else std::printf("%-20s %4d px  %s\n", spec.name.c_str(), spec.preprocess.crop, spec.description.c_str());
    }
    if (json) std::cout << list << "\n";
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
    throw UsageError("zoo needs 'list' or 'show NAME'");
}

} // namespace graft::cli
