#include "BenchWorkloads.h"
#include "Commands.h"
#include "Console.h"
#include "InterruptSignal.h"
#include "ReferenceProcess.h"

#include "common/Error.h"
#include "train/ComputeSetup.h"

#include <nlohmann/json.hpp>
#include <torch/utils.h>
#include <torch/version.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace graft::cli {
namespace fs = std::filesystem;

namespace {

struct BenchSettings {
    int batch = 32;
    int warmup = 1;
    int steps = 2;
    int repeats = 3;
    int fineTuneImages = 400;
    int fineTuneEpochs = 5;
    int probeImages = 1000;
    int probeEpochs = 10;
    int gemmSize = 4096;

    // Seconds instead of minutes: every workload runs, on too little work to mean anything.
    static BenchSettings quick() { return {4, 1, 1, 1, 12, 2, 12, 2, 512}; }
};

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const auto n = values.size();
    return n == 0 ? 0.0 : n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// One figure, measured on both sides. `higherIsBetter` decides which way round the ratio goes, so
// that a ratio above 1 always means Graft did better.
struct Comparison {
    Comparison(std::string id, std::string name, std::string unit, bool higherIsBetter = true)
        : id(std::move(id)), name(std::move(name)), unit(std::move(unit)), higherIsBetter(higherIsBetter) {}

    std::string id;
    std::string name;
    std::string unit;
    bool higherIsBetter = true;
    std::vector<double> graft, reference;
    std::string referenceName = "PyTorch";
    double target = 0; // the ratio to reach; 0: none
    double graftFlops = 0, referenceFlops = 0; // FLOPs behind one unit of the figure (per image, per epoch...)
    nlohmann::json details = nlohmann::json::object(); // anything else worth keeping, such as per-epoch times

    double ratio() const {
        const double g = median(graft), r = median(reference);
        return higherIsBetter ? g / r : r / g;
    }
    bool met() const { return target == 0 || ratio() >= target; }
};

// GFLOP/s behind a figure: per second it is FLOPs x figure, per unit of time FLOPs / figure.
double gflops(const Comparison& row, double figure, double flops) {
    if (flops == 0 || figure == 0) return 0;
    return (row.higherIsBetter ? flops * figure : flops / figure) / 1e9;
}

std::string firstLineStartingWith(const fs::path& file, const std::string& prefix) {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);)
        if (line.starts_with(prefix)) {
            const auto colon = line.find(':');
            return colon == std::string::npos ? line : line.substr(line.find_first_not_of(" \t", colon + 1));
        }
    return "unknown";
}

nlohmann::json machineDescription(const nlohmann::json& reference) {
    std::error_code error;
    const auto blas = fs::canonical("/etc/alternatives/libblas.so.3-x86_64-linux-gnu", error);
    return {{"cpu", firstLineStartingWith("/proc/cpuinfo", "model name")},
            {"cores", std::thread::hardware_concurrency()},
            {"memory", firstLineStartingWith("/proc/meminfo", "MemTotal")},
            {"blas", error ? std::string("unknown") : blas.string()},
            {"graftThreads", torch::get_num_threads()},
            {"libtorch", TORCH_VERSION},
            {"pytorch", reference.value("torch", "unknown")},
            {"torchvision", reference.value("torchvision", "unknown")},
            {"pytorchThreads", reference.value("threads", 0)}};
}

// The temporary folder of images and projects, removed however the bench ends.
class WorkFolder {
public:
    WorkFolder() : path_(fs::temp_directory_path() / ("graft-bench-" + std::to_string(::getpid()))) {
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~WorkFolder() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

void printTable(std::FILE* out, const std::vector<Comparison>& rows, double peakGflops) {
    std::fprintf(out, "\n%-48s %12s %12s %9s %8s  %s\n", "workload", "Graft", "reference", "ratio", "target",
                 "GFLOP/s Graft / reference (% of GEMM peak)");
    for (const auto& row : rows) {
        const double g = median(row.graft), r = median(row.reference);
        char target[16] = "";
        if (row.target > 0) std::snprintf(target, sizeof target, "%s%.2f", row.met() ? ">=" : "MISS ", row.target);
        std::fprintf(out, "%-48s %12.3g %12.3g %8.2fx %8s", (row.id + " " + row.name + " (" + row.unit + ")").c_str(), g, r,
                     row.ratio(), target);
        const double gg = gflops(row, g, row.graftFlops), rg = gflops(row, r, row.referenceFlops);
        if (gg > 0) std::fprintf(out, "  %.0f / %.0f (%.0f%% / %.0f%%)", gg, rg, 100 * gg / peakGflops, 100 * rg / peakGflops);
        std::fprintf(out, "   [vs %s]\n", row.referenceName.c_str());
    }
    std::fprintf(out, "ratio > 1: Graft is better (faster, or less memory).\n");
}

nlohmann::json rowJson(const Comparison& row, double peakGflops) {
    const double g = median(row.graft), r = median(row.reference);
    const double gg = gflops(row, g, row.graftFlops), rg = gflops(row, r, row.referenceFlops);
    return {{"id", row.id},
            {"name", row.name},
            {"unit", row.unit},
            {"reference", row.referenceName},
            {"graft", {{"median", g}, {"samples", row.graft}, {"gflops", gg}, {"peakFraction", gg / peakGflops}}},
            {"referenceFigure", {{"median", r}, {"samples", row.reference}, {"gflops", rg}, {"peakFraction", rg / peakGflops}}},
            {"ratio", row.ratio()},
            {"ratioMeaning", row.higherIsBetter ? "Graft / reference" : "reference / Graft"},
            {"target", row.target > 0 ? nlohmann::json(row.target) : nlohmann::json(nullptr)},
            {"met", row.met()},
            {"details", row.details}};
}

nlohmann::json with(nlohmann::json request, const nlohmann::json& more) {
    request.update(more);
    return request;
}

fs::path defaultReferenceScript() { return GRAFT_BENCH_REFERENCE_SCRIPT; }

} // namespace

int commandBench(Arguments& args) {
    const bool json = args.flag("--json");
    auto settings = args.flag("--quick") ? BenchSettings::quick() : BenchSettings{};
    settings.repeats = args.integer("--repeats", settings.repeats);
    const int threads = args.integer("--threads", 0);
    const std::string only = args.text("--only", "W1,W2,W3,W4,W5");
    const auto runs = [&](const std::string& id) {
        std::stringstream list(only);
        for (std::string item; std::getline(list, item, ',');)
            if (item == id) return true;
        return false;
    };
    const std::string python = args.text("--python", "/usr/bin/python3");
    const fs::path script = args.text("--reference", defaultReferenceScript().string());
    args.rejectUnused();
    if (!args.positionals().empty()) throw UsageError("bench takes no positional arguments");
    if (settings.repeats < 1) throw UsageError("--repeats expects at least 1");
    if (threads < 0) throw UsageError("--threads expects a count, or 0 for every core");
    {
        std::stringstream list(only);
        for (std::string item; std::getline(list, item, ',');)
            if (item != "W1" && item != "W2" && item != "W3" && item != "W4" && item != "W5" && item != "W6")
                throw UsageError("--only expects workloads among W1 to W6, such as W2,W5; got '" + item + "'");
    }
    if (!fs::is_regular_file(script))
        throw Error(script.string() + ": the PyTorch reference script is not there; pass its path with --reference");

    std::signal(SIGPIPE, SIG_IGN); // a reference that dies is reported by ReferenceProcess, not by a signal
    setCpuThreadLimit(threads);
    useCpuCores();
    InterruptSignal interrupt;
    WorkFolder work;
    const auto fineTuneImages = work.path() / "finetune";
    const auto probeImages = work.path() / "probe";
    writeBenchImages(fineTuneImages, settings.fineTuneImages, 256);
    writeBenchImages(probeImages, settings.probeImages, 256);

    ReferenceProcess reference(python, {script.string(), "--images", fineTuneImages.string(), "--threads",
                                        std::to_string(torch::get_num_threads())});
    // Ctrl+C ends the reference's workload too, so that a cancel does not wait minutes for it.
    const std::stop_callback stopReference(interrupt.token(), [&reference] { reference.terminate(); });
    BenchWorkloads graft(fineTuneImages, work.path(), interrupt.token());

    const int measurements = settings.repeats * (1 + int(runs("W1")) + int(runs("W2")) + 2 * int(runs("W3"))) +
                             2 * int(runs("W4")) + 2 * settings.repeats * int(runs("W5"));
    int done = 0;
    ConsoleProgress progress;
    const auto step = [&](const std::string& what) {
        progress.update(what, done++, measurements);
        if (interrupt.received()) throw BenchCancelled();
    };

    std::vector<Comparison> rows;
    const double resnetFlops = BenchWorkloads::forwardFlops("resnet18");
    const double mobilenetFlops = BenchWorkloads::forwardFlops("mobilenet_v2");
    const double lastBlockFlops = BenchWorkloads::resnet18LastBlockFlops();
    const nlohmann::json trainRequest = {{"workload", "train"}, {"batch", settings.batch}, {"warmup", settings.warmup},
                                         {"steps", settings.steps}};
    const nlohmann::json inferRequest = {{"workload", "infer"}, {"batch", settings.batch}, {"warmup", settings.warmup},
                                         {"steps", settings.steps}};
    try {
        Comparison w1{"W1", "ResNet-18 full fine-tune", "images/s"}, w1Memory{"W1", "ResNet-18 full fine-tune peak RSS", "MB"},
            w2{"W2", "ResNet-18 inference", "images/s"}, w2Unfolded{"W2", "ResNet-18 inference, BN unfolded", "images/s"},
            w3Train{"W3", "MobileNetV2 full fine-tune", "images/s"},
            w3Infer{"W3", "MobileNetV2 inference", "images/s"};
        Comparison w6{"W6", "GEMM " + std::to_string(settings.gemmSize) + "^2 peak", "GFLOP/s"};
        w1.target = 1.0;
        w1.graftFlops = w1.referenceFlops = 3 * resnetFlops;
        w1Memory.higherIsBetter = false;
        w1Memory.target = 1 / 1.1;
        w2.target = 1.2;
        w2.graftFlops = w2.referenceFlops = resnetFlops;
        w2Unfolded.graftFlops = w2Unfolded.referenceFlops = resnetFlops; // what folding saves is BatchNorm's passes, not FLOPs
        w3Train.graftFlops = w3Train.referenceFlops = 3 * mobilenetFlops;
        w3Infer.graftFlops = w3Infer.referenceFlops = mobilenetFlops;
        for (int repeat = 0; repeat < settings.repeats; ++repeat) {
            if (runs("W1")) {
                step("W1 ResNet-18 training");
                const auto mine = graft.training("resnet18", settings.batch, settings.warmup, settings.steps, true);
                auto theirs = reference.ask(with(trainRequest, {{"arch", "resnet18"}, {"measureMemory", true}}));
                w1.graft.push_back(mine.imagesPerSecond);
                w1.reference.push_back(theirs["imagesPerSecond"]);
                w1Memory.graft.push_back(double(mine.peakRssBytes) / 1e6);
                w1Memory.reference.push_back(theirs["peakRssBytes"].get<double>() / 1e6);
            }
            if (runs("W2")) {
                step("W2 ResNet-18 inference");
                w2.graft.push_back(graft.inference("resnet18", settings.batch, settings.warmup, settings.steps).imagesPerSecond);
                w2.reference.push_back(reference.ask(with(inferRequest, {{"arch", "resnet18"}}))["imagesPerSecond"]);
                // The same with the model's own forward(), BatchNorm in passes of its own, for the effect of folding.
                w2Unfolded.graft.push_back(graft.inference("resnet18", settings.batch, settings.warmup, settings.steps,
                                                           BenchWorkloads::BatchNorm::Unfolded)
                                               .imagesPerSecond);
                w2Unfolded.reference.push_back(w2.reference.back());
            }
            if (runs("W3")) {
                step("W3 MobileNetV2 training");
                w3Train.graft.push_back(graft.training("mobilenet_v2", settings.batch, settings.warmup, settings.steps, false).imagesPerSecond);
                w3Train.reference.push_back(reference.ask(with(trainRequest, {{"arch", "mobilenet_v2"}}))["imagesPerSecond"]);

                step("W3 MobileNetV2 inference");
                w3Infer.graft.push_back(graft.inference("mobilenet_v2", settings.batch, settings.warmup, settings.steps).imagesPerSecond);
                w3Infer.reference.push_back(reference.ask(with(inferRequest, {{"arch", "mobilenet_v2"}}))["imagesPerSecond"]);
            }
            step("W6 GEMM peak");
            w6.graft.push_back(BenchWorkloads::gemmGflops(settings.gemmSize, 3));
            w6.reference.push_back(reference.ask({{"workload", "gemm"}, {"size", settings.gemmSize}, {"repeats", 3}})["gflops"]);
        }
        for (const auto* row : {&w1, &w1Memory, &w2, &w2Unfolded, &w3Train, &w3Infer})
            if (!row->graft.empty()) rows.push_back(*row);

        // The notebook loop runs the whole network every epoch; Graft runs the frozen part once.
        if (runs("W4")) {
            step("W4 layer4 fine-tune, Graft");
            const auto mine = graft.fineTuneLastBlock(settings.batch, settings.fineTuneEpochs);
            step("W4 layer4 fine-tune, PyTorch");
            const auto theirs = reference.ask({{"workload", "finetune"}, {"batch", settings.batch}, {"epochs", settings.fineTuneEpochs},
                                               {"workers", 2}});
            Comparison w4{"W4", "ResNet-18 layer4+head, " + std::to_string(settings.fineTuneImages) + " images", "s/epoch", false};
            w4.graft = {mine.seconds / settings.fineTuneEpochs};
            w4.reference = {theirs["seconds"].get<double>() / settings.fineTuneEpochs};
            w4.details = {{"graftEpochSeconds", mine.epochSeconds}, {"referenceEpochSeconds", theirs["epochSeconds"]}};
            w4.target = 3.0;
            const double n = settings.fineTuneImages, epochs = settings.fineTuneEpochs;
            w4.graftFlops = n * ((resnetFlops - lastBlockFlops) + epochs * 3 * lastBlockFlops) / epochs;
            w4.referenceFlops = n * (resnetFlops + 2 * lastBlockFlops);
            rows.push_back(w4);
        }

        if (runs("W5")) {
            Comparison w5{"W5", "linear probe, " + std::to_string(settings.probeImages) + " images", "s", false};
            w5.referenceName = "one inference pass";
            // Interleaved repeats: one floor pass moved by a third between runs minutes apart.
            for (int repeat = 0; repeat < settings.repeats; ++repeat) {
                step("W5 linear probe, time to trained model");
                const auto probe = graft.linearProbe(probeImages, settings.batch, settings.probeEpochs);
                step("W5 one inference pass, the floor");
                w5.graft.push_back(probe.seconds);
                w5.reference.push_back(graft.inferencePassSeconds(probeImages, settings.batch));
                w5.details["graftEpochSeconds"].push_back(probe.epochSeconds);
            }
            w5.target = 1 / 1.2;
            w5.graftFlops = w5.referenceFlops = settings.probeImages * resnetFlops;
            rows.push_back(w5);
        }
        rows.push_back(w6);
    } catch (const std::exception& error) {
        // A terminated reference fails its request: that, too, is the cancel.
        if (!interrupt.received() && !dynamic_cast<const BenchCancelled*>(&error)) throw;
        progress.finish();
        std::fprintf(stderr, "Benchmark cancelled\n");
        return kExitCancelled;
    }

    progress.finish();
    const auto& gemm = rows.back();
    const double peak = std::max(median(gemm.graft), median(gemm.reference));

    printTable(json ? stderr : stdout, rows, peak);
    if (json) {
        auto list = nlohmann::json::array();
        for (const auto& row : rows) list.push_back(rowJson(row, peak));
        std::cout << nlohmann::json{{"machine", machineDescription(reference.greeting())},
                                    {"settings",
                                     {{"batch", settings.batch}, {"warmupSteps", settings.warmup}, {"measuredSteps", settings.steps},
                                      {"repeats", settings.repeats}, {"fineTuneImages", settings.fineTuneImages},
                                      {"fineTuneEpochs", settings.fineTuneEpochs}, {"probeImages", settings.probeImages},
                                      {"probeEpochs", settings.probeEpochs}, {"gemmSize", settings.gemmSize}}},
                                    {"gemmPeakGflops", peak},
                                    {"workloads", list}}
                         .dump(2)
                  << "\n";
    }
    return 0;
}

} // namespace graft::cli
