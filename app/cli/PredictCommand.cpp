#include "Commands.h"

#include "data/ImageDecoding.h"
#include "export/LoadedBundle.h"
#include "models/Prediction.h"
#include "models/Zoo.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>

namespace graft::cli {
namespace {

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

// Read errors already name the file; decoding errors are given its name here.
cv::Mat decodeNamed(const std::string& image, ColorMode color) {
    const auto bytes = readFileBytes(image);
    try {
        return decodeImage(bytes, color);
    } catch (const ImageDecodeError& error) {
        throw ImageDecodeError(image + ": " + error.what());
    }
}

} // namespace

int commandPredict(Arguments& args) {
    const auto backbone = args.option("--backbone");
    const auto bundleFolder = args.option("--model");
    const auto weightsOption = args.option("--weights");
    const auto labelsFile = args.option("--labels");
    const int topK = args.integer("--topk", 5);
    const bool json = args.flag("--json");
    args.rejectUnused();
    if (bool(backbone) == bool(bundleFolder))
        throw UsageError("predict needs --backbone NAME (see graft-cli zoo list) or --model BUNDLE_FOLDER");
    if (bundleFolder && (weightsOption || labelsFile)) throw UsageError("a bundle brings its own weights and labels");
    if (args.positionals().empty()) throw UsageError("predict needs at least one image");
    if (topK < 1) throw UsageError("--topk must be at least 1");

    PreprocessSpec input;
    std::function<torch::Tensor(torch::Tensor)> logitsOf;
    std::vector<std::string> labels;
    std::string source;
    std::optional<LoadedBundle> bundle;
    std::shared_ptr<ClassifierImpl> model;
    if (bundleFolder) {
        bundle = loadBundle(*bundleFolder);
        input = bundle->input;
        labels = bundle->labels;
        logitsOf = [&](torch::Tensor images) { return bundle->model.forward({images}).toTensor(); };
        source = *bundleFolder;
    } else {
        const auto spec = architectureSpec(*backbone);
        const auto weights = weightsFor(*backbone, weightsOption);
        model = loadClassifierFromWeights(spec, weights);
        input = spec.preprocess;
        logitsOf = [&](torch::Tensor images) { return model->forward(images); };
        const auto outputs = model->forward(torch::zeros({1, input.channels(), input.crop, input.crop})).size(1);
        if (labelsFile) labels = readLabels(*labelsFile);
        else if (outputs == 1000) labels = imageNetClassNames();
        if (!labels.empty() && std::int64_t(labels.size()) != outputs)
            throw Error(*labelsFile + ": has " + std::to_string(labels.size()) + " labels, but the model has " +
                        std::to_string(outputs) + " outputs");
        source = weights.string();
    }

    int failures = 0;
    auto results = nlohmann::json::array();
    for (const auto& image : args.positionals()) {
        try {
            const auto decoded = decodeNamed(image, input.color);
            const auto scores = predictTopK(logitsOf, input, decoded, topK, labels);
            if (json) {
                auto top = nlohmann::json::array();
                for (const auto& score : scores)
                    top.push_back({{"index", score.index}, {"label", score.label}, {"probability", score.probability}});
                results.push_back({{"image", image}, {"top", top}});
                continue;
            }
            std::printf("%s\n", image.c_str());
            for (std::size_t rank = 0; rank < scores.size(); ++rank)
                std::printf("  %zu. %-32s %7.2f%%\n", rank + 1, scores[rank].label.c_str(), 100 * scores[rank].probability);
        } catch (const ImageDecodeError& error) {
            ++failures;
            if (json) results.push_back({{"image", image}, {"error", error.what()}});
            else std::fprintf(stderr, "graft-cli predict: error: %s\n", error.what());
        }
    }
    if (json) {
        nlohmann::json output = {{"predictions", results}};
        if (bundle) output["model"] = source;
        else output.update({{"backbone", *backbone}, {"weights", source}});
        std::cout << output << "\n";
    }
    return failures == 0 ? 0 : 1;
}

} // namespace graft::cli
