#include "Commands.h"
#include "Console.h"
#include "InterruptSignal.h"

#include "export/RunExport.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace graft::cli {

int commandExport(Arguments& args) {
    if (args.positionals().size() != 1) throw UsageError("expected: export FILE.graft --run ID --out MODEL.pt");
    const std::filesystem::path project = args.positionals()[0];
    const int runId = args.integer("--run", 0);
    const auto out = args.option("--out");
    const std::string format = args.text("--format", "torchscript");
    TorchScriptExportOptions options;
    options.softmax = args.flag("--softmax");
    const bool json = args.flag("--json");
    args.rejectUnused();
    if (runId <= 0) throw UsageError("--run ID is required (see graft-cli info for run ids)");
    if (!out) throw UsageError("--out MODEL.pt is required");
    if (format != "torchscript") throw UsageError("--format expects torchscript (ONNX is not written yet), not '" + format + "'");

    ConsoleProgress progress;
    InterruptSignal interrupt;
    const auto replay = exportRunTorchScript(project, runId, *out, options, [&](const Progress& update) {
        if (!json) progress.update(update.stage, update.done, update.total);
    }, interrupt.token());
    progress.finish();
    if (json) {
        std::cout << nlohmann::json{{"file", *out},
                                    {"run", runId},
                                    {"checkpoint", replay.bestCheckpoint ? "best" : "last"},
                                    {"checkpointEpoch", replay.checkpointEpoch},
                                    {"replaySplit", splitName(replay.split)},
                                    {"images", replay.images},
                                    {"topOneAgreements", replay.topOneAgreements},
                                    {"maxDifference", replay.maxDifference},
                                    {"outputs", options.softmax ? "probabilities" : "logits"}}
                  << "\n";
        return 0;
    }
    std::printf("%s: TorchScript of run %d (%s checkpoint, epoch %lld), %s for N x C x H x W preprocessed images\n"
                "Replayed %lld %s images through the file: top class agrees on all, outputs within %.2g of Graft's\n",
                out->c_str(), runId, replay.bestCheckpoint ? "best" : "last", (long long)replay.checkpointEpoch,
                options.softmax ? "probabilities" : "logits", (long long)replay.images,
                std::string(splitName(replay.split)).c_str(), replay.maxDifference);
    return 0;
}

} // namespace graft::cli
