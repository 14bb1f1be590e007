#include "Commands.h"
#include "Console.h"
#include "ImageInputs.h"
#include "InterruptSignal.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "data/Preprocess.h"
#include "explain/GradCam.h"
#include "explain/HeatMapOverlay.h"
#include "models/Classifier.h"
#include "project/ProjectFile.h"
#include "train/ComputeSetup.h"
#include "train/CpuBlockCache.h"
#include "train/RunModel.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>

namespace graft::cli {
namespace {

// A named class of the run, or its index.
std::int64_t classIndex(const std::string& given, const std::vector<std::string>& classes) {
    const auto named = std::find(classes.begin(), classes.end(), given);
    if (named != classes.end()) return named - classes.begin();
    try {
        std::size_t end = 0;
        const long long index = std::stoll(given, &end);
        if (end == given.size() && index >= 0 && index < std::int64_t(classes.size())) return index;
    } catch (const std::exception&) {
    }
    std::string names;
    for (const auto& name : classes) names += (names.empty() ? "" : ", ") + name;
    throw UsageError("--class expects one of the run's classes (" + names + ") or an index below " +
                     std::to_string(classes.size()) + ", not '" + given + "'");
}

// NumPy's .npy format (version 1.0), so the raw map loads with numpy.load.
std::string npyFloat32(const torch::Tensor& map) {
    const auto values = map.detach().cpu().to(torch::kFloat32).contiguous();
    std::string shape;
    for (const auto size : values.sizes()) shape += std::to_string(size) + ", ";
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape.substr(0, shape.size() - 1) + "), }";
    header.append(63 - (10 + header.size()) % 64, ' ').push_back('\n'); // data starts 64-byte aligned
    std::string file = "\x93NUMPY\x01";
    file.push_back('\0');
    file.push_back(char(header.size() & 0xff));
    file.push_back(char(header.size() >> 8));
    file += header;
    // Little-endian, as every host Graft targets.
    file.append(static_cast<const char*>(values.data_ptr()), std::size_t(values.numel()) * sizeof(float));
    return file;
}

// File stems in the output folder, unique even for images of the same name in different folders.
std::string uniqueStem(const std::string& image, std::set<std::string>& taken) {
    const std::string stem = std::filesystem::path(image).stem().string();
    std::string candidate = stem;
    for (int copy = 2; !taken.insert(candidate).second; ++copy) candidate = stem + "-" + std::to_string(copy);
    return candidate;
}

} // namespace

int commandExplain(Arguments& args) {
    const int runId = args.integer("--run", 0);
    const auto out = args.option("--out");
    const auto classOption = args.option("--class");
    const std::string block = args.text("--block", "");
    const bool json = args.flag("--json");
    args.rejectUnused();
    if (args.positionals().size() < 2) throw UsageError("expected: explain FILE.graft --run ID IMAGE|FOLDER... --out DIR");
    if (runId <= 0) throw UsageError("--run ID is required (see graft-cli info for run ids)");
    if (!out) throw UsageError("--out DIR is required: the folder for the overlays and maps");
    const std::string project = args.positionals()[0];

    useCpuCores();
    const CpuBlockCacheScope blockCache;
    Database db = openProject(project, ProjectAccess::ReadOnly);
    const RunModel run = loadRunModel(db, runId, project + " run " + std::to_string(runId));
    GradCamOptions options;
    options.block = block.empty() ? lastConvolutionalBlock(*run.model) : block;
    if (classOption) options.targetClass = classIndex(*classOption, run.spec.classes);
    const auto& input = run.architecture.preprocess;
    gradCam(*run.model, torch::zeros({input.channels(), input.crop, input.crop}), options); // a wrong --block fails once, here
    const auto images = expandImages({args.positionals().begin() + 1, args.positionals().end()});
    std::error_code error;
    std::filesystem::create_directories(*out, error);
    if (error) throw Error(*out + ": cannot create the output folder: " + error.message());

    const auto label = [&](std::int64_t index) { return run.spec.classes.at(std::size_t(index)); };
    InterruptSignal interrupt;
    ConsoleProgress progress;
    auto results = nlohmann::json::array();
    std::set<std::string> stems;
    int failures = 0;
    for (const auto& image : images) {
        if (interrupt.received()) {
            progress.finish();
            std::fprintf(stderr, "graft-cli explain: stopped after %zu of %zu images\n", results.size(), images.size());
            return kExitCancelled;
        }
        progress.update("explaining", std::int64_t(results.size()), std::int64_t(images.size()), image);
        try {
            const auto input = preprocessForEval(decodeNamed(image, run.architecture.preprocess.color), run.architecture.preprocess);
            const auto cam = gradCam(*run.model, input, options);
            const auto probabilities = cam.logits.softmax(0);
            const auto predicted = probabilities.argmax().item<std::int64_t>();
            const auto stem = uniqueStem(image, stems);
            const auto overlayPath = std::filesystem::path(*out) / (stem + ".png");
            const auto mapPath = std::filesystem::path(*out) / (stem + ".npy");
            cv::Mat bgr;
            cv::cvtColor(heatMapOverlay(viewedImage(input, run.architecture.preprocess), cam.map), bgr, cv::COLOR_RGB2BGR);
            std::vector<std::uint8_t> png;
            cv::imencode(".png", bgr, png);
            writeFileAtomically(overlayPath, png);
            writeFileAtomically(mapPath, npyFloat32(cam.map));
            results.push_back({{"image", image},
                               {"predicted", label(predicted)},
                               {"probability", probabilities[predicted].item<double>()},
                               {"explained", label(cam.targetClass)},
                               {"explainedProbability", probabilities[cam.targetClass].item<double>()},
                               {"overlay", overlayPath.string()},
                               {"map", mapPath.string()}});
        } catch (const Error& failure) {
            ++failures;
            results.push_back({{"image", image}, {"error", failure.what()}});
            progress.finish();
            if (!json) std::fprintf(stderr, "graft-cli explain: error: %s\n", failure.what());
        }
    }
    progress.finish();

    const nlohmann::json summary = {{"project", project}, {"run", runId}, {"block", options.block}, {"images", results}};
    writeFileAtomically(std::filesystem::path(*out) / "explain.json", summary.dump(2) + "\n");
    if (json) std::cout << summary << "\n";
    else
        for (const auto& result : results)
            if (!result.contains("error"))
                std::printf("%s: %s %.1f%%, heat map of %s at %s -> %s\n", result["image"].get<std::string>().c_str(),
                            result["predicted"].get<std::string>().c_str(), 100 * result["probability"].get<double>(),
                            result["explained"].get<std::string>().c_str(), options.block.c_str(),
                            result["overlay"].get<std::string>().c_str());
    return failures == 0 ? 0 : 1;
}

} // namespace graft::cli
