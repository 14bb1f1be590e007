#include "BackboneOption.h"
#include "Commands.h"
#include "Console.h"
#include "CsvField.h"
#include "InterruptSignal.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "selection/Suggestions.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace graft::cli {
namespace {

std::string suggestionsCsv(const std::vector<Suggestion>& suggestions) {
    std::string csv = "rank,image,source,score,predicted,confidence\n";
    for (std::size_t rank = 0; rank < suggestions.size(); ++rank) {
        const auto& suggestion = suggestions[rank];
        char numbers[64];
        std::snprintf(numbers, sizeof numbers, "%.9g", suggestion.score);
        csv += std::to_string(rank + 1) + "," + suggestion.sha256 + "," + csvField(suggestion.source) + "," + numbers + "," +
               csvField(suggestion.predicted.value_or(""));
        if (suggestion.confidence) {
            std::snprintf(numbers, sizeof numbers, "%.9g", *suggestion.confidence);
            csv += std::string(",") + numbers;
        } else {
            csv += ",";
        }
        csv += "\n";
    }
    return csv;
}

} // namespace

int commandSuggest(Arguments& args) {
    if (args.positionals().size() != 1) throw UsageError("expected: suggest FILE.graft (--run ID | --backbone NAME) --count N");
    const std::filesystem::path project = args.positionals()[0];
    SuggestionRequest request;
    const auto model = runOrBackboneOption(args, "a finished run's features and predictions");
    request.runId = model.runId;
    request.backbone = model.backbone;
    const int count = args.integer("--count", 10);
    if (count < 1) throw UsageError("--count expects at least 1");
    request.count = std::size_t(count);
    try {
        request.strategy = strategyFromName(args.text("--strategy", std::string(strategyName(request.strategy))));
    } catch (const Error& error) {
        throw UsageError(error.what());
    }
    request.seed = std::uint64_t(args.integer("--seed", 0));
    const bool json = args.flag("--json");
    const auto out = args.option("--out");
    args.rejectUnused();

    ConsoleProgress progress;
    InterruptSignal interrupt;
    const auto suggestions = suggestImages(project, request, [&](const Progress& update) {
        if (!json) progress.update(update.stage, update.done, update.total);
    }, interrupt.token());
    progress.finish();

    if (out) writeFileAtomically(*out, suggestionsCsv(suggestions));
    if (json) {
        auto rows = nlohmann::json::array();
        for (const auto& suggestion : suggestions) {
            nlohmann::json row = {{"sha256", suggestion.sha256}, {"source", suggestion.source}, {"score", suggestion.score}};
            if (suggestion.predicted) row["predicted"] = *suggestion.predicted;
            if (suggestion.confidence) row["confidence"] = *suggestion.confidence;
            rows.push_back(row);
        }
        std::cout << nlohmann::json{{"strategy", strategyName(request.strategy)}, {"suggestions", rows}} << "\n";
        return 0;
    }
    if (out) {
        std::printf("%s: %zu image(s) to label next, by %s\n", out->c_str(), suggestions.size(), strategyName(request.strategy).data());
        return 0;
    }
    std::printf("%-4s %-12s %10s  %-24s %s\n", "rank", "image", "score", "predicted", "source");
    for (std::size_t rank = 0; rank < suggestions.size(); ++rank) {
        const auto& suggestion = suggestions[rank];
        char predicted[64] = "-";
        if (suggestion.predicted)
            std::snprintf(predicted, sizeof predicted, "%s %.1f %%", suggestion.predicted->c_str(), 100 * suggestion.confidence.value_or(0));
        std::printf("%-4zu %-12s %10.4g  %-24s %s\n", rank + 1, suggestion.sha256.substr(0, 12).c_str(), suggestion.score, predicted,
                    suggestion.source.c_str());
    }
    return 0;
}

} // namespace graft::cli
