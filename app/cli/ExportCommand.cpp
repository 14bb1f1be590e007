#include "Commands.h"
#include "Console.h"
#include "InterruptSignal.h"

#include "common/Error.h"
#include "export/Bundle.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <optional>

namespace graft::cli {

int commandExport(Arguments& args) {
    if (args.positionals().size() != 1)
        throw UsageError("expected: export FILE.graft --run ID (--out MODEL.pt | --bundle FOLDER)");
    const std::filesystem::path project = args.positionals()[0];
    const int runId = args.integer("--run", 0);
    const auto out = args.option("--out");
    const auto bundle = args.option("--bundle");
    const std::string format = args.text("--format", "torchscript");
    RunExportOptions options;
    options.softmax = args.flag("--softmax");
    options.preprocess = args.flag("--preprocess");
    BundleOptions bundleOptions;
    bundleOptions.calibrate = args.flag("--calibrate");
    const bool json = args.flag("--json");
    args.rejectUnused();
    if (runId <= 0) throw UsageError("--run ID is required (see graft-cli info for run ids)");
    if (bool(out) == bool(bundle)) throw UsageError("give one of --out MODEL.pt and --bundle FOLDER");
    if (format != "torchscript" && format != "onnx") throw UsageError("--format expects torchscript or onnx, not '" + format + "'");
    options.format = format == "onnx" ? ExportFormat::Onnx : ExportFormat::TorchScript;
    if (bundle && options.format == ExportFormat::Onnx) throw UsageError("a bundle holds TorchScript; use --out for ONNX");
    if (bundle && options.softmax) throw UsageError("--softmax is for --out; a bundle's model gives logits");
    if (!bundle && bundleOptions.calibrate) throw UsageError("--calibrate is for --bundle: calibration.json records the temperature");
    if (bundle && options.preprocess) throw UsageError("--preprocess is for --out; a bundle's preprocess.json describes the transform");
    if (options.preprocess && options.format == ExportFormat::Onnx)
        throw UsageError("--preprocess needs TorchScript: ONNX opset 13's Resize cannot antialias as Graft does");

    ConsoleProgress progress;
    InterruptSignal interrupt;
    const auto onProgress = [&](const Progress& update) {
        if (!json) progress.update(update.stage, update.done, update.total);
    };
    const std::string written = bundle ? *bundle : *out;
    ExportReplay replay;
    std::optional<BundleReport> bundleReport;
    try {
        if (bundle) bundleReport = exportRunBundle(project, runId, *bundle, onProgress, interrupt.token(), bundleOptions);
        replay = bundle ? bundleReport->replay : exportRun(project, runId, *out, options, onProgress, interrupt.token());
    } catch (const Error&) {
        progress.finish();
        if (!interrupt.token().stop_requested()) throw;
        std::fprintf(stderr, "graft-cli export: stopped; %s was not written\n", written.c_str());
        return kExitCancelled;
    }
    progress.finish();
    if (json) {
        nlohmann::json summary{{bundle ? "bundle" : "file", written},
                               {"run", runId},
                               {"checkpoint", replay.bestCheckpoint ? "best" : "last"},
                               {"checkpointEpoch", replay.checkpointEpoch},
                               {"replaySplit", splitName(replay.split)},
                               {"images", replay.images},
                               {"topOneAgreements", replay.topOneAgreements},
                               {"maxDifference", replay.maxDifference},
                               {"tolerance", replay.tolerance},
                               {"format", format},
                               {"input", options.preprocess ? "uint8 images, H x W x C" : "float tensors, N x C x H x W"},
                               {"outputs", options.softmax ? "probabilities" : "logits"}};
        if (bundleReport) {
            summary["ece"] = bundleReport->ece;
            if (bundleReport->temperatureScaling)
                summary["temperatureScaling"] = {{"temperature", bundleReport->temperatureScaling->temperature},
                                                 {"eceAfter", bundleReport->temperatureScaling->after.ece},
                                                 {"applied", bundleOptions.calibrate}};
        }
        std::cout << summary << "\n";
        return 0;
    }
    std::printf("%s: %s of run %d (%s checkpoint, epoch %lld)\n"
                "Replayed %lld %s images through the written model: top class agrees on all, outputs within %.2g of "
                "Graft's\n",
                written.c_str(),
                bundle ? "model, labels, preprocessing, metrics and model card"
                       : (options.format == ExportFormat::Onnx ? "ONNX" : "TorchScript"),
                runId,
                replay.bestCheckpoint ? "best" : "last", (long long)replay.checkpointEpoch, (long long)replay.images,
                std::string(splitName(replay.split)).c_str(), replay.maxDifference);
    if (bundleReport) {
        std::printf("Calibration on those images: ECE %.3f", bundleReport->ece);
        if (const auto& scaling = bundleReport->temperatureScaling)
            std::printf(", %.3f with the temperature fitted on validation (T = %.3f%s)", scaling->after.ece, scaling->temperature,
                        bundleOptions.calibrate ? ", recorded in calibration.json" : "; --calibrate records it");
        std::printf("\n");
    }
    return 0;
}

} // namespace graft::cli
