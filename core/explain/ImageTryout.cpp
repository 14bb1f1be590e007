#include "explain/ImageTryout.h"

#include "common/Error.h"
#include "data/ImageDecoding.h"
#include "data/Preprocess.h"
#include "experiment/ExperimentRunner.h"
#include "explain/GradCam.h"
#include "explain/HeatMapOverlay.h"
#include "export/BundleClassifier.h"
#include "metrics/Unfamiliarity.h"
#include "models/Classifier.h"
#include "project/ProjectFile.h"
#include "train/RunEvaluation.h"
#include "train/RunModel.h"

#include <algorithm>

namespace graft {

struct ImageTryout::Model {
    std::shared_ptr<ClassifierImpl> classifier;
    PreprocessSpec input;
    std::vector<std::string> labels;
    double temperature = 1;
    std::optional<double> unfamiliarBelow;
    std::int64_t heldOutImages = 0;
    std::string description;
    bool hasConvolutionalStage = true; // false for an imported TorchScript backbone: no heat map
};

namespace {

bool hasConvolutionalStage(ClassifierImpl& classifier) {
    try {
        lastConvolutionalBlock(classifier);
        return true;
    } catch (const Error&) {
        return false;
    }
}

} // namespace

ImageTryout::ImageTryout(std::shared_ptr<const Model> model) : model_(std::move(model)) {}

ImageTryout ImageTryout::ofRun(const std::filesystem::path& project, std::int64_t runId, std::stop_token stop) {
    auto model = std::make_shared<Model>();
    Split heldOut = Split::Test;
    {
        Database db = openProject(project, ProjectAccess::ReadOnly);
        const std::string source = project.string() + " run " + std::to_string(runId);
        RunModel run = loadRunModel(db, runId, source);
        model->classifier = run.model;
        model->hasConvolutionalStage = hasConvolutionalStage(*run.model);
        model->input = run.architecture.preprocess;
        model->labels = run.spec.classes;
        model->description = project.filename().string() + ", run " + std::to_string(runId) + " (" + run.spec.config.arch + ")";
        ProjectStore store(db);
        heldOut = heldOutSplit(store);
    }
    const auto confidences = evaluateRun(project, runId, heldOut, stop).confidences;
    model->heldOutImages = std::int64_t(confidences.size());
    if (model->heldOutImages >= kFewestHeldOutToFlagUnfamiliar) model->unfamiliarBelow = graft::unfamiliarBelow(confidences);
    return ImageTryout(std::move(model));
}

ImageTryout ImageTryout::ofBundle(const std::filesystem::path& folder) {
    auto model = std::make_shared<Model>();
    const LoadedBundle bundle = loadBundle(folder);
    model->classifier = bundleClassifier(bundle, folder.string());
    model->input = bundle.input;
    model->labels = bundle.labels;
    model->temperature = bundle.temperature;
    model->heldOutImages = bundle.heldOutImages;
    if (model->heldOutImages >= kFewestHeldOutToFlagUnfamiliar) model->unfamiliarBelow = bundle.unfamiliarBelow;
    model->description = "bundle " + folder.filename().string() + " (" + bundle.arch + ")";
    return ImageTryout(std::move(model));
}

TriedImage ImageTryout::tryImage(const std::string& name, std::span<const std::uint8_t> encoded, int topK) const {
    TriedImage tried;
    tried.name = name;
    torch::Tensor image;
    try {
        image = preprocessForEval(decodeImage(encoded, model_->input.color), model_->input);
    } catch (const Error& error) {
        tried.error = name + ": " + error.what();
        return tried;
    }
    tried.viewed = viewedImage(image, model_->input);
    torch::Tensor logits;
    if (model_->hasConvolutionalStage) {
        const auto cam = gradCam(*model_->classifier, image);
        logits = cam.logits;
        tried.heatMap = heatMapOverlay(tried.viewed, cam.map);
    } else {
        torch::NoGradGuard noGrad;
        logits = model_->classifier->forward(image.unsqueeze(0))[0];
    }
    tried.familiarity = logits.softmax(0).max().item<double>();
    tried.unfamiliar = model_->unfamiliarBelow && tried.familiarity < *model_->unfamiliarBelow;
    const auto probabilities = (logits / model_->temperature).softmax(0);
    const auto [values, indices] = probabilities.topk(std::min<std::int64_t>(topK, probabilities.size(0)));
    for (std::int64_t rank = 0; rank < values.size(0); ++rank)
        tried.top.push_back({model_->labels.at(std::size_t(indices[rank].item<std::int64_t>())), values[rank].item<double>()});
    return tried;
}

const std::string& ImageTryout::description() const { return model_->description; }

std::optional<double> ImageTryout::unfamiliarBelow() const { return model_->unfamiliarBelow; }

std::int64_t ImageTryout::heldOutImages() const { return model_->heldOutImages; }

} // namespace graft
