#include "export/BundleClassifier.h"

#include "common/Error.h"
#include "models/Architectures.h"
#include "models/Classifier.h"

#include <algorithm>

namespace graft {

std::shared_ptr<ClassifierImpl> bundleClassifier(const LoadedBundle& bundle, const std::string& source) {
    if (bundle.arch.empty()) throw Error(source + ": its metrics.json names no architecture, so its blocks are unknown");
    auto model = createClassifier(architectureSpec(bundle.arch), int(bundle.labels.size()));
    std::map<std::string, torch::Tensor> exported;
    for (const auto& tensor : bundle.model.named_parameters(/*recurse=*/false)) exported[tensor.name] = tensor.value;
    for (const auto& tensor : bundle.model.named_buffers(/*recurse=*/false)) exported[tensor.name] = tensor.value;
    torch::NoGradGuard noGrad;
    const auto copyInto = [&](const std::string& name, torch::Tensor& target) {
        std::string attribute = name;
        std::replace(attribute.begin(), attribute.end(), '.', '_');
        const auto found = exported.find(attribute);
        if (found == exported.end()) {
            if (name.ends_with("num_batches_tracked")) return; // not used in eval mode, so not exported
            throw Error(source + ": model.pt has no " + name + " for a " + bundle.arch + " with " +
                        std::to_string(bundle.labels.size()) + " classes");
        }
        if (found->second.sizes() != target.sizes())
            throw Error(source + ": model.pt's " + name + " has another shape than a " + bundle.arch + "'s");
        target.copy_(found->second);
    };
    for (auto& parameter : model->named_parameters()) copyInto(parameter.key(), parameter.value());
    for (auto& buffer : model->named_buffers()) copyInto(buffer.key(), buffer.value());
    model->eval();
    return model;
}

} // namespace graft
