#include "Commands.h"
#include "Console.h"
#include "InterruptSignal.h"

#include "experiment/BackboneRanking.h"
#include "models/Zoo.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>

namespace graft::cli {
namespace {

// "tinynet=fashion.pt": that architecture with those weights, named by the file.
PretrainedBackbone weightsCandidate(const std::string& text) {
    const auto equals = text.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == text.size())
        throw UsageError("--weights expects ARCH=FILE, not '" + text + "'");
    const std::filesystem::path file = text.substr(equals + 1);
    return {file.filename().string(), text.substr(0, equals), file, std::nullopt};
}

} // namespace

int commandRank(Arguments& args) {
    if (args.positionals().size() != 1) throw UsageError("expected: rank FILE.graft [--weights ARCH=FILE]...");
    const std::filesystem::path project = args.positionals()[0];
    const bool json = args.flag("--json");
    auto candidates = cachedBackbones(weightsCacheDir());
    for (const auto& text : args.repeated("--weights")) candidates.push_back(weightsCandidate(text));
    args.rejectUnused();
    if (candidates.empty())
        throw Error("no pretrained backbones to rank: fetch some with 'zoo download NAME' or 'zoo import NAME FILE.pth', "
                    "or name weights files with --weights ARCH=FILE");

    ConsoleProgress progress;
    InterruptSignal interrupt;
    const auto started = std::chrono::steady_clock::now();
    const auto ranks = rankBackbones(project, candidates, [&](const Progress& update) {
        if (!json) progress.update(update.stage, update.done, update.total);
    }, interrupt.token());
    progress.finish();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    if (json) {
        auto rows = nlohmann::json::array();
        for (const auto& rank : ranks) {
            nlohmann::json row = {{"name", rank.name}, {"arch", rank.arch}, {"images", rank.images}, {"seconds", rank.seconds}};
            if (rank.error.empty()) {
                row["logme"] = rank.logMe;
                row["leep"] = rank.leep ? nlohmann::json(*rank.leep) : nlohmann::json();
            } else {
                row["error"] = rank.error;
            }
            rows.push_back(row);
        }
        std::cout << nlohmann::json{{"ranks", rows}, {"seconds", seconds}} << "\n";
        return 0;
    }
    std::printf("%zu backbone(s) ranked on %lld labelled training images in %.1f s; higher scores transfer better\n\n",
                ranks.size(), ranks.empty() ? 0LL : (long long)ranks.front().images, seconds);
    std::printf("%-4s %-28s %-20s %9s %9s %8s\n", "rank", "backbone", "architecture", "LogME", "LEEP", "time");
    int position = 0;
    for (const auto& rank : ranks) {
        char leep[32] = "-"; // a TorchScript extractor has no source head to score
        if (rank.leep) std::snprintf(leep, sizeof leep, "%.4f", *rank.leep);
        if (rank.error.empty())
            std::printf("%-4d %-28s %-20s %9.4f %9s %6.1f s\n", ++position, rank.name.c_str(), rank.arch.c_str(), rank.logMe,
                        leep, rank.seconds);
        else
            std::printf("%-4s %-28s %-20s failed: %s\n", "-", rank.name.c_str(), rank.arch.c_str(), rank.error.c_str());
    }
    return 0;
}

} // namespace graft::cli
