#include "models/Prediction.h"

#include "common/Error.h"
#include "models/ImageNetClasses.h"
#include "models/WeightsReference.h"
#include "models/Weights.h"

#include <torch/utils.h>

#include <algorithm>
#include <sstream>

namespace graft {
namespace {

// The classifier's final Linear: the last 2-D parameter of the last block that has parameters.
std::string headWeightName(ClassifierImpl& model) {
    auto blocks = model.blocks();
    const auto head = std::find_if(blocks.rbegin(), blocks.rend(), [](const auto& b) { return !b.parameterPrefixes.empty(); });
    if (head == blocks.rend()) throw Error("this architecture has no classifier head");
    std::string name;
    for (const auto& parameter : model.named_parameters())
        for (const auto& prefix : head->parameterPrefixes)
            if (parameter.key().starts_with(prefix) && parameter.value().dim() == 2) name = parameter.key();
    if (name.empty()) throw Error("this architecture's head (" + head->name + ") has no weight matrix");
    return name;
}

} // namespace

const std::vector<std::string>& imageNetClassNames() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> lines;
        std::istringstream text(kImageNetClassesText);
        for (std::string line; std::getline(text, line);)
            if (!line.empty()) lines.push_back(line);
        return lines;
    }();
    return names;
}

std::shared_ptr<ClassifierImpl> loadClassifierFromWeights(const ArchitectureSpec& spec,
                                                          const std::filesystem::path& weightsFile) {
    const NamedTensors tensors = readWeightsReference(weightsFile.string());
    const std::string headName = headWeightName(*createClassifier(spec, 2));
    const auto head = std::find_if(tensors.begin(), tensors.end(), [&](const auto& t) { return t.first == headName; });
    if (head == tensors.end() || head->second.dim() != 2)
        throw Error(weightsFile.string() + ": has no classifier head '" + headName + "' for " + spec.name +
                    "; is it for another architecture?");
    auto model = createClassifier(spec, int(head->second.size(0)));
    loadAllWeights(*model, tensors, weightsFile.string());
    model->eval();
    return model;
}

std::vector<ClassScore> predictTopK(ClassifierImpl& model, const PreprocessSpec& spec, const cv::Mat& decoded, int k,
                                    const std::vector<std::string>& labels) {
    model.eval();
    return predictTopK([&](torch::Tensor images) { return model.forward(images); }, spec, decoded, k, labels);
}

std::vector<ClassScore> predictTopK(const std::function<torch::Tensor(torch::Tensor)>& logitsOf, const PreprocessSpec& spec,
                                    const cv::Mat& decoded, int k, const std::vector<std::string>& labels) {
    torch::NoGradGuard noGrad;
    const auto logits = logitsOf(preprocessForEval(decoded, spec).unsqueeze(0))[0];
    const auto probabilities = torch::softmax(logits.to(torch::kFloat64), 0);
    const auto top = probabilities.topk(std::min<std::int64_t>(k, probabilities.size(0)));
    const auto values = std::get<0>(top), indices = std::get<1>(top);
    std::vector<ClassScore> scores;
    for (std::int64_t i = 0; i < values.size(0); ++i) {
        const auto index = indices[i].item<std::int64_t>();
        scores.push_back({index,
                          index < std::int64_t(labels.size()) ? labels[std::size_t(index)]
                                                              : "class " + std::to_string(index),
                          values[i].item<double>()});
    }
    return scores;
}

} // namespace graft
