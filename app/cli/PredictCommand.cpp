#include "Commands.h"
#include "CsvField.h"
#include "Console.h"
#include "ImageInputs.h"
#include "InterruptSignal.h"

#include "common/AtomicFile.h"
#include "export/FoldedClassifier.h"
#include "export/LoadedBundle.h"
#include "models/Prediction.h"
#include "models/Zoo.h"
#include "project/ProjectFile.h"
#include "train/ComputeSetup.h"
#include "train/CpuBlockCache.h"
#include "train/RunModel.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>

namespace graft::cli {
namespace {

// What predict runs: a model, its input transform and the names of its outputs.
struct Predictor {
    std::function<torch::Tensor(torch::Tensor)> logitsOf;
    PreprocessSpec input;
    std::vector<std::string> labels;
    nlohmann::json source; // the JSON output's fields saying where the predictions came from
    std::vector<TaskHead> tasks{}; // a multi-task model's heads, in output order: a prediction per task
};

struct TaskPrediction {
    std::string task;
    std::vector<ClassScore> top;
};

struct ImagePrediction {
    std::string image;
    std::vector<ClassScore> top;       // one task
    std::vector<TaskPrediction> tasks; // several
    std::string error;
};

// Each head's top classes, its softmax over its own outputs.
std::vector<TaskPrediction> predictTasks(const Predictor& predictor, const cv::Mat& decoded, int topK) {
    std::vector<TaskPrediction> predictions;
    const auto columns = headColumns(predictor.tasks);
    for (std::size_t task = 0; task < predictor.tasks.size(); ++task) {
        const auto& head = columns[task];
        const auto logitsOf = [&](torch::Tensor images) { return predictor.logitsOf(images).slice(1, head.begin, head.end); };
        predictions.push_back({head.name, predictTopK(logitsOf, predictor.input, decoded, topK, predictor.tasks[task].classes)});
    }
    return predictions;
}

std::filesystem::path weightsFor(const std::string& backbone, const std::optional<std::string>& given) {
    if (given) return *given;
    for (const auto& entry : zooEntries()) {
        if (entry.arch != backbone) continue;
        const auto cached = cachedWeightsPath(entry, weightsCacheDir());
        if (std::filesystem::exists(cached)) return cached;
        throw UsageError("no weights for " + backbone + ": give --weights FILE.pth, or fetch ImageNet's with "
                         "graft-cli zoo download " + entry.name);
    }
    throw UsageError("no weights for " + backbone + ": give --weights FILE.pth");
}

std::vector<std::string> readLabels(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw Error(file.string() + ": cannot be read");
    std::vector<std::string> labels;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) labels.push_back(line);
    return labels;
}

Predictor backbonePredictor(const std::string& backbone, const std::optional<std::string>& weightsOption,
                            const std::optional<std::string>& labelsFile) {
    const auto spec = architectureSpec(backbone);
    const auto weights = weightsFor(backbone, weightsOption);
    std::shared_ptr<ClassifierImpl> model = loadClassifierFromWeights(spec, weights);
    Predictor predictor{[model, logitsOf = inferenceFunction(*model, torch::kCPU)](torch::Tensor images) { return logitsOf(images); },
                        spec.preprocess, {},
                        {{"backbone", backbone}, {"weights", weights.string()}}, {}};
    const auto& input = spec.preprocess;
    const auto outputs = model->forward(torch::zeros({1, input.channels(), input.crop, input.crop})).size(1);
    if (labelsFile) predictor.labels = readLabels(*labelsFile);
    else if (outputs == 1000) predictor.labels = imageNetClassNames();
    if (!predictor.labels.empty() && std::int64_t(predictor.labels.size()) != outputs)
        throw Error(*labelsFile + ": has " + std::to_string(predictor.labels.size()) + " labels, but the model has " +
                    std::to_string(outputs) + " outputs");
    return predictor;
}

// "PROJECT.graft:RUN" names a run in a project; anything else is a bundle folder.
std::optional<std::pair<std::filesystem::path, std::int64_t>> projectRun(const std::string& model) {
    const auto colon = model.rfind(':');
    if (colon == std::string::npos || colon + 1 == model.size()) return std::nullopt;
    const std::string run = model.substr(colon + 1);
    if (!std::all_of(run.begin(), run.end(), [](unsigned char c) { return std::isdigit(c); })) return std::nullopt;
    const std::filesystem::path project = model.substr(0, colon);
    if (project.extension() != ".graft" && !std::filesystem::is_regular_file(project)) return std::nullopt;
    return std::pair{project, std::stoll(run)};
}

Predictor modelPredictor(const std::string& model) {
    if (const auto run = projectRun(model)) {
        Database db = openProject(run->first, ProjectAccess::ReadOnly);
        RunModel loaded = loadRunModel(db, run->second, run->first.string() + " run " + std::to_string(run->second));
        auto classifier = loaded.model;
        return {[classifier, logitsOf = inferenceFunction(*classifier, torch::kCPU)](torch::Tensor images) { return logitsOf(images); },
                loaded.architecture.preprocess,
                loaded.spec.classes, {{"project", run->first.string()}, {"run", run->second}}, loaded.spec.tasks};
    }
    auto bundle = std::make_shared<LoadedBundle>(loadBundle(model));
    return {[bundle](torch::Tensor images) {
                const auto output = bundle->model.forward({images});
                if (bundle->tasks.empty()) return output.toTensor() / bundle->temperature;
                const auto byTask = output.toGenericDict();
                std::vector<torch::Tensor> heads;
                for (const auto& task : bundle->tasks) heads.push_back(byTask.at(task.name).toTensor());
                return torch::cat(heads, 1);
            },
            bundle->input, bundle->labels, {{"model", model}, {"temperature", bundle->temperature}}, bundle->tasks};
}

nlohmann::json predictionsJson(const std::vector<ImagePrediction>& predictions) {
    auto results = nlohmann::json::array();
    for (const auto& prediction : predictions) {
        if (!prediction.error.empty()) {
            results.push_back({{"image", prediction.image}, {"error", prediction.error}});
            continue;
        }
        const auto topJson = [](const std::vector<ClassScore>& scores) {
            auto top = nlohmann::json::array();
            for (const auto& score : scores)
                top.push_back({{"index", score.index}, {"label", score.label}, {"probability", score.probability}});
            return top;
        };
        if (prediction.tasks.empty()) {
            results.push_back({{"image", prediction.image}, {"top", topJson(prediction.top)}});
            continue;
        }
        auto tasks = nlohmann::json::array();
        for (const auto& task : prediction.tasks) tasks.push_back({{"task", task.task}, {"top", topJson(task.top)}});
        results.push_back({{"image", prediction.image}, {"tasks", tasks}});
    }
    return results;
}

// One row per image and rank (and task, for a multi-task model: a column of its own); an image
// that failed has one row with its error.
std::string predictionsCsv(const std::vector<ImagePrediction>& predictions, bool byTask) {
    std::string csv = byTask ? "image,task,rank,label,index,probability,error\n" : "image,rank,label,index,probability,error\n";
    const auto rows = [&](const std::string& image, const std::string* task, const std::vector<ClassScore>& top) {
        for (std::size_t rank = 0; rank < top.size(); ++rank) {
            const auto& score = top[rank];
            char probability[32];
            std::snprintf(probability, sizeof probability, "%.9g", score.probability);
            csv += csvField(image) + "," + (task ? csvField(*task) + "," : std::string()) + std::to_string(rank + 1) + "," +
                   csvField(score.label) + "," + std::to_string(score.index) + "," + probability + ",\n";
        }
    };
    for (const auto& prediction : predictions) {
        if (!prediction.error.empty()) {
            csv += csvField(prediction.image) + (byTask ? ",,,,,," : ",,,,,") + csvField(prediction.error) + "\n";
            continue;
        }
        if (!byTask) rows(prediction.image, nullptr, prediction.top);
        for (const auto& task : prediction.tasks) rows(prediction.image, &task.task, task.top);
    }
    return csv;
}

void printPredictions(const std::vector<ImagePrediction>& predictions) {
    for (const auto& prediction : predictions) {
        if (!prediction.error.empty()) continue; // already reported on stderr
        std::printf("%s\n", prediction.image.c_str());
        for (std::size_t rank = 0; rank < prediction.top.size(); ++rank)
            std::printf("  %zu. %-32s %7.2f%%\n", rank + 1, prediction.top[rank].label.c_str(),
                        100 * prediction.top[rank].probability);
        for (const auto& task : prediction.tasks) {
            std::printf("  %s\n", task.task.c_str());
            for (std::size_t rank = 0; rank < task.top.size(); ++rank)
                std::printf("    %zu. %-30s %7.2f%%\n", rank + 1, task.top[rank].label.c_str(), 100 * task.top[rank].probability);
        }
    }
}

} // namespace

int commandPredict(Arguments& args) {
    const auto backbone = args.option("--backbone");
    const auto model = args.option("--model");
    const auto weightsOption = args.option("--weights");
    const auto labelsFile = args.option("--labels");
    const auto out = args.option("--out");
    const int topK = args.integer("--topk", 5);
    const bool json = args.flag("--json");
    args.rejectUnused();
    if (bool(backbone) == bool(model))
        throw UsageError("predict needs --backbone NAME (see graft-cli zoo list) or --model BUNDLE_FOLDER|PROJECT.graft:RUN");
    if (model && (weightsOption || labelsFile)) throw UsageError("--model brings its own weights and labels");
    if (args.positionals().empty()) throw UsageError("predict needs at least one image or folder");
    if (topK < 1) throw UsageError("--topk must be at least 1");
    const std::string outFormat = out ? std::filesystem::path(*out).extension().string() : "";
    if (out && outFormat != ".csv" && outFormat != ".json") throw UsageError("--out writes FILE.csv or FILE.json, not " + *out);

    useCpuCores();
    const CpuBlockCacheScope blockCache;
    const Predictor predictor = model ? modelPredictor(*model) : backbonePredictor(*backbone, weightsOption, labelsFile);
    const auto images = expandImages(args.positionals());

    InterruptSignal interrupt;
    ConsoleProgress progress;
    std::vector<ImagePrediction> predictions;
    int failures = 0;
    for (const auto& image : images) {
        if (interrupt.received()) {
            progress.finish();
            std::fprintf(stderr, "graft-cli predict: stopped after %zu of %zu images%s\n", predictions.size(), images.size(),
                         out ? ("; " + *out + " was not written").c_str() : "");
            return kExitCancelled;
        }
        progress.update("predicting", std::int64_t(predictions.size()), std::int64_t(images.size()), image);
        ImagePrediction prediction{image, {}, {}, {}};
        try {
            const auto decoded = decodeNamed(image, predictor.input.color);
            if (predictor.tasks.empty()) prediction.top = predictTopK(predictor.logitsOf, predictor.input, decoded, topK, predictor.labels);
            else prediction.tasks = predictTasks(predictor, decoded, topK);
        } catch (const Error& error) {
            ++failures;
            prediction.error = error.what();
            if (!json) {
                progress.finish();
                std::fprintf(stderr, "graft-cli predict: error: %s\n", error.what());
            }
        }
        predictions.push_back(std::move(prediction));
    }
    progress.finish();

    nlohmann::json output = {{"predictions", predictionsJson(predictions)}};
    output.update(predictor.source);
    if (out)
        writeFileAtomically(*out, outFormat == ".csv" ? predictionsCsv(predictions, !predictor.tasks.empty()) : output.dump(2) + "\n");
    if (json) std::cout << output << "\n";
    else if (out) std::printf("%s: top %d of %zu images (%d could not be read)\n", out->c_str(), topK, images.size(), failures);
    else printPredictions(predictions);
    return failures == 0 ? 0 : 1;
}

} // namespace graft::cli
