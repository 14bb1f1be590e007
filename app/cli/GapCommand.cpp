#include "BackboneOption.h"
#include "Commands.h"
#include "Console.h"
#include "InterruptSignal.h"

#include "common/Error.h"
#include "domain/DomainGap.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <sstream>

namespace graft::cli {
namespace {

std::vector<std::string> domainSets(const std::string& text) {
    std::vector<std::string> sets;
    std::stringstream stream(text);
    for (std::string item; std::getline(stream, item, ',');)
        if (!item.empty()) sets.push_back(item);
    if (sets.size() > 2) throw UsageError("--domains takes one or two sets of images (A or A,B), not " + std::to_string(sets.size()));
    return sets;
}

nlohmann::json reportJson(const DomainGapReport& report) {
    auto sets = nlohmann::json::array();
    for (const auto& set : report.sets) {
        auto blocks = nlohmann::json::array();
        for (const auto& block : set.blocks)
            blocks.push_back({{"block", block.block},
                              {"batchNormLayers", block.layers},
                              {"shift", block.layers > 0 ? nlohmann::json(block.shift) : nlohmann::json(nullptr)}});
        sets.push_back({{"set", set.set}, {"images", set.images}, {"blocks", blocks}, {"reading", set.reading}});
    }
    nlohmann::json json{{"model", report.model}, {"sets", sets}};
    if (report.between)
        json["between"] = {{"first", report.between->first},
                           {"second", report.between->second},
                           {"linearMmd", report.between->linearMmd},
                           {"frechet", report.between->frechet},
                           {"proxyADistance", report.between->proxyADistance},
                           {"domainClassifierError", report.between->domainClassifierError},
                           {"heldOut", report.between->heldOut}};
    return json;
}

void printReport(const DomainGapReport& report) {
    std::printf("Domain gap under %s\n", report.model.c_str());
    for (const auto& set : report.sets) {
        std::printf("\n%s (%lld images): BatchNorm shift per block (symmetric KL from the stored statistics)\n",
                    set.set == "*" ? "all images" : set.set.c_str(), (long long)set.images);
        double largest = 0;
        for (const auto& block : set.blocks) largest = std::max(largest, block.layers > 0 ? block.shift : 0.0);
        for (const auto& block : set.blocks) {
            if (block.layers == 0) {
                std::printf("  %-24s %10s\n", block.block.c_str(), "-");
                continue;
            }
            const int bar = largest > 0 ? int(30 * block.shift / largest + 0.5) : 0;
            std::printf("  %-24s %10.4f  %s\n", block.block.c_str(), block.shift, std::string(std::size_t(bar), '#').c_str());
        }
        std::printf("  %s\n", set.reading.c_str());
    }
    if (report.between) {
        const auto& pair = *report.between;
        std::printf("\n%s against %s (pooled features):\n", pair.first.c_str(), pair.second.c_str());
        std::printf("  linear-kernel MMD^2   %.6g\n", pair.linearMmd);
        std::printf("  Frechet distance      %.6g\n", pair.frechet);
        std::printf("  proxy A-distance      %.3f (a linear domain classifier errs on %.1f %% of %lld held-out images; 0: alike, 2: apart)\n",
                    pair.proxyADistance, 100 * pair.domainClassifierError, (long long)pair.heldOut);
    }
}

} // namespace

int commandGap(Arguments& args) {
    if (args.positionals().size() != 1)
        throw UsageError("expected: gap FILE.graft (--run ID | --backbone NAME [--weights FILE]) [--domains A,B]");
    const std::filesystem::path project = args.positionals()[0];
    DomainGapRequest request;
    const auto model = runOrBackboneOption(args, "a run's trained model");
    request.runId = model.runId;
    request.backbone = model.backbone;
    request.sets = domainSets(args.text("--domains", ""));
    const int limit = args.integer("--max-images", int(request.maxImagesPerSet));
    if (limit < 2) throw UsageError("--max-images expects at least 2");
    request.maxImagesPerSet = std::size_t(limit);
    request.seed = std::uint64_t(args.integer("--seed", 0));
    const bool json = args.flag("--json");
    args.rejectUnused();

    ConsoleProgress progress;
    InterruptSignal interrupt;
    const auto report = measureDomainGap(project, request, [&](const Progress& update) {
        if (!json) progress.update(update.stage, update.done, update.total);
    }, interrupt.token());
    progress.finish();
    if (json) std::cout << reportJson(report) << "\n";
    else printReport(report);
    return 0;
}

} // namespace graft::cli
