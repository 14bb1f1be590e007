#include "models/TorchScriptClassifier.h"

#include "common/Error.h"

#include <c10/util/Exception.h>
#include <torch/nn/modules/linear.h>

#include <sstream>

namespace graft {
namespace {

torch::jit::Module loadScript(const std::filesystem::path& file) {
    if (!std::filesystem::is_regular_file(file)) throw Error(file.string() + ": no such TorchScript file");
    try {
        auto module = torch::jit::load(file.string(), torch::kCPU);
        module.eval();
        return module;
    } catch (const c10::Error& error) {
        throw Error(file.string() + ": not a TorchScript file (save one with torch.jit.script(model).save(path)): " +
                    error.what_without_backtrace());
    }
}

torch::Tensor pooledFeatures(const torch::IValue& output, const std::filesystem::path& file) {
    if (!output.isTensor())
        throw Error(file.string() + ": its forward() returns " + output.tagKind() +
                    "; a feature extractor must return one tensor (N x D, or N x C x H x W)");
    const auto features = output.toTensor();
    if (features.dim() == 2) return features;
    if (features.dim() == 4) return features.mean({2, 3});
    std::ostringstream shape;
    shape << features.sizes();
    throw Error(file.string() + ": its output has shape " + shape.str() +
                "; a feature extractor must return N x D features or N x C x H x W maps");
}

} // namespace

TorchScriptClassifierImpl::TorchScriptClassifierImpl(const std::filesystem::path& file, int inputSize, int numClasses)
    : file_(file), extractor_(loadScript(file)) {
    torch::NoGradGuard noGrad;
    torch::Tensor probe;
    try {
        probe = pooledFeatures(extractor_.forward({torch::zeros({1, 3, inputSize, inputSize})}), file);
    } catch (const c10::Error& error) {
        throw Error(file.string() + ": fails on a 3 x " + std::to_string(inputSize) + " x " + std::to_string(inputSize) +
                    " image: " + error.what_without_backtrace());
    }
    featureDim_ = probe.size(1);
    head_ = register_module("head", torch::nn::Linear(featureDim_, numClasses));
}

torch::Tensor TorchScriptClassifierImpl::features(torch::Tensor images) {
    torch::NoGradGuard frozen;
    return pooledFeatures(extractor_.forward({images}), file_);
}

torch::Tensor TorchScriptClassifierImpl::forward(torch::Tensor images) { return head_->forward(features(images)); }

std::vector<NetworkBlock> TorchScriptClassifierImpl::blocks() {
    return {{"backbone", "TorchScript (frozen)", {}, [this](torch::Tensor x) { return features(x); }},
            moduleBlock("head", head_)};
}

std::int64_t TorchScriptClassifierImpl::extractorParameters() const {
    std::int64_t count = 0;
    for (const auto& parameter : extractor_.parameters()) count += parameter.numel();
    return count;
}

void TorchScriptClassifierImpl::to(torch::Device device, torch::Dtype dtype, bool nonBlocking) {
    extractor_.to(device, dtype, nonBlocking);
    ClassifierImpl::to(device, dtype, nonBlocking);
}

void TorchScriptClassifierImpl::to(torch::Device device, bool nonBlocking) {
    extractor_.to(device, nonBlocking);
    ClassifierImpl::to(device, nonBlocking);
}

} // namespace graft
