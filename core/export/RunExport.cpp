#include "export/RunExport.h"

#include "common/Error.h"
#include "data/TensorDataset.h"
#include "export/OnnxExport.h"
#include "export/TorchScriptExport.h"
#include "models/Classifier.h"
#include "project/ProjectFile.h"
#include "project/TaskStore.h"
#include "train/ComputeSetup.h"
#include "train/CpuBlockCache.h"
#include "train/ProjectTensors.h"
#include "train/RunModel.h"

#include <opencv2/dnn.hpp>
#include <torch/script.h>

#include <cstdio>

namespace graft {
namespace {

constexpr std::size_t kBatch = 64;

std::vector<LabeledImage> replayImages(ProjectStore& store, const std::map<std::int64_t, std::int64_t>& classIndex,
                                       Split& split) {
    for (const Split candidate : {Split::Test, Split::Val, Split::Train}) {
        std::vector<LabeledImage> images;
        for (const auto& image : store.labeledImagesInSplit(candidate))
            if (classIndex.contains(image.classId)) images.push_back(image);
        if (!images.empty()) {
            split = candidate;
            return images;
        }
    }
    return {};
}

using Forward = std::function<torch::Tensor(const torch::Tensor&)>;

// The written file, run by its own runtime; a multi-task file's heads' outputs one after another.
Forward exportedForward(const std::filesystem::path& file, ExportFormat format, const std::vector<HeadColumns>& heads) {
    if (format == ExportFormat::TorchScript) {
        auto module = std::make_shared<torch::jit::Module>(torch::jit::load(file.string(), torch::kCPU));
        module->eval();
        return [module, heads](const torch::Tensor& images) {
            const auto output = module->forward({images});
            if (heads.empty()) return output.toTensor();
            const auto byTask = output.toGenericDict();
            std::vector<torch::Tensor> outputs;
            for (const auto& head : heads) outputs.push_back(byTask.at(head.name).toTensor());
            return torch::cat(outputs, 1);
        };
    }
    std::vector<cv::String> names;
    for (const auto& head : heads) names.push_back(head.name);
    // One image per forward(), as OpenCV users run it: OpenCV 4.6 cannot batch graphs whose Mul
    // broadcasts a per-image gate (squeeze-excitation; opencv/opencv#22086).
    auto net = std::make_shared<cv::dnn::Net>(cv::dnn::readNetFromONNX(file.string()));
    const auto asRow = [](const cv::Mat& output) {
        return torch::from_blob(const_cast<float*>(output.ptr<float>()), {1, std::int64_t(output.total())}, torch::kFloat32).clone();
    };
    return [net, names, asRow](const torch::Tensor& images) {
        std::vector<torch::Tensor> outputs;
        for (std::int64_t i = 0; i < images.size(0); ++i) {
            const auto image = images[i].contiguous();
            const int dims[] = {1, int(image.size(0)), int(image.size(1)), int(image.size(2))};
            net->setInput(cv::Mat(4, dims, CV_32F, image.data_ptr<float>()));
            if (names.empty()) {
                outputs.push_back(asRow(net->forward()));
                continue;
            }
            std::vector<cv::Mat> heads;
            net->forward(heads, names);
            std::vector<torch::Tensor> row;
            for (const auto& head : heads) row.push_back(asRow(head));
            outputs.push_back(torch::cat(row, 1));
        }
        return torch::cat(outputs);
    };
}

// A file with the preprocessing baked in takes each image as decoded, at its own size.
torch::Tensor forwardDecoded(const Forward& exported, const std::vector<ImageForTraining>& images, ColorMode color) {
    std::vector<torch::Tensor> outputs;
    for (const auto& image : images) {
        const cv::Mat decoded = decodeImage(image.encoded, color);
        const auto pixels = torch::from_blob(decoded.data, {decoded.rows, decoded.cols, decoded.channels()},
                                             {std::int64_t(decoded.step[0]), decoded.channels(), 1}, torch::kUInt8);
        outputs.push_back(exported(pixels));
    }
    return torch::cat(outputs);
}

// The outputs' classes (softmax and top-1) are per head: one head, or each task's of a multi-task model.
torch::Tensor perHead(const torch::Tensor& outputs, const std::vector<HeadColumns>& heads,
                      const std::function<torch::Tensor(const torch::Tensor&)>& apply) {
    if (heads.empty()) return apply(outputs);
    std::vector<torch::Tensor> parts;
    for (const auto& head : heads) parts.push_back(apply(outputs.slice(1, head.begin, head.end)));
    return torch::cat(parts, 1);
}

ExportReplay replay(Database& db, const RunModel& run, const std::filesystem::path& file, const RunExportOptions& options,
                    const ProgressCallback& progress, std::stop_token stop) {
    // The images of the run's (first) task: any image the model reads will do.
    const auto tasks = nameList(run.spec.config.tasks);
    ProjectStore store(db, tasks.empty() ? kFirstTask : TaskStore(db).require(tasks.front()));
    const auto classIndex = classIndexByName(store, run.spec.tasks.empty() ? run.spec.classes : run.spec.tasks.front().classes);
    const auto heads = headColumns(run.spec.tasks);
    ExportReplay result;
    result.checkpointEpoch = run.checkpointEpoch;
    result.bestCheckpoint = run.bestCheckpoint;
    const auto images = replayImages(store, classIndex, result.split);
    if (images.empty()) throw Error("no labelled images of the run's classes to replay the export on");

    const auto exported = exportedForward(file, options.format, heads);
    const auto& input = run.architecture.preprocess;
    torch::NoGradGuard noGrad;
    for (std::size_t start = 0; start < images.size(); start += kBatch) {
        if (stop.stop_requested()) throw Error("export stopped");
        const std::vector<LabeledImage> batch(images.begin() + std::ptrdiff_t(start),
                                              images.begin() + std::ptrdiff_t(std::min(images.size(), start + kBatch)));
        const auto encoded = store.imagesForTraining(batch);
        const auto pixels = toTensors(encoded, classIndex, input).images;
        auto graft = run.model->forward(pixels);
        if (options.softmax) graft = perHead(graft, heads, [](const torch::Tensor& x) { return torch::softmax(x, 1); });
        const auto theirs = options.preprocess ? forwardDecoded(exported, encoded, input.color) : exported(pixels);
        result.maxDifference = std::max(result.maxDifference, (theirs - graft).abs().max().item<double>());
        // An image agrees when every head's top class does.
        const auto topOne = [](const torch::Tensor& x) { return x.argmax(1, true).to(torch::kFloat32); };
        const auto disagreements = perHead(theirs, heads, topOne).ne(perHead(graft, heads, topOne)).sum(1);
        result.topOneAgreements += disagreements.eq(0).sum().item<std::int64_t>();
        result.images += std::int64_t(batch.size());
        if (progress) progress({"replaying", result.images, std::int64_t(images.size())});
    }
    result.tolerance = exportTolerance(options.format);
    if (result.topOneAgreements != result.images || !(result.maxDifference <= result.tolerance)) {
        char figures[160];
        std::snprintf(figures, sizeof figures, "the top class agrees on %lld of %lld images, outputs differ by up to %.3g",
                      (long long)result.topOneAgreements, (long long)result.images, result.maxDifference);
        throw Error(std::string("the export does not reproduce Graft: ") + figures);
    }
    return result;
}

} // namespace

double exportTolerance(ExportFormat format) { return format == ExportFormat::TorchScript ? 1e-5 : 1e-4; }

ExportReplay exportRun(const std::filesystem::path& project, std::int64_t runId, const std::filesystem::path& file,
                       const RunExportOptions& options, const ProgressCallback& progress, std::stop_token stop) {
    useCpuCores();
    const CpuBlockCacheScope blockCache;
    Database db = openProject(project, ProjectAccess::ReadOnly);
    const RunModel run = loadRunModel(db, runId, project.string() + " run " + std::to_string(runId));
    const auto& input = run.architecture.preprocess;
    if (options.format == ExportFormat::TorchScript) {
        exportTorchScript(*run.model, file,
                          {.softmax = options.softmax,
                           .preprocess = options.preprocess ? std::optional(input) : std::nullopt,
                           .heads = headColumns(run.spec.tasks)});
    } else {
        if (options.preprocess)
            throw Error(file.string() + ": ONNX cannot carry Graft's preprocessing (opset 13's Resize does not "
                                        "antialias); export TorchScript for that, or preprocess before the model");
        exportOnnx(*run.model, file,
                   {.channels = input.channels(), .imageSize = input.crop, .softmax = options.softmax, .heads = headColumns(run.spec.tasks)});
    }
    try {
        return replay(db, run, file, options, progress, stop);
    } catch (const std::exception& error) {
        std::error_code ignored;
        std::filesystem::remove(file, ignored);
        throw Error(file.string() + ": " + error.what() + "; not kept");
    }
}

} // namespace graft
