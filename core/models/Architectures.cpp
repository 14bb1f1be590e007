#include "models/Architectures.h"

#include "common/Error.h"
#include "models/TinyNet.h"

namespace graft {

std::vector<ArchitectureSpec> architectures() {
    PreprocessSpec tinyNetInput;
    tinyNetInput.resizeShorter = 28;
    tinyNetInput.crop = 28;
    tinyNetInput.color = ColorMode::Gray;
    return {{"tinynet", "small greyscale CNN for 28-64 px images (0.1 M parameters)", tinyNetInput}};
}

ArchitectureSpec architectureSpec(const std::string& name) {
    std::string known;
    for (const auto& spec : architectures()) {
        if (spec.name == name) return spec;
        known += (known.empty() ? "" : ", ") + spec.name;
    }
    throw Error("unknown architecture '" + name + "' (known: " + known + ")");
}

std::shared_ptr<ClassifierImpl> createClassifier(const ArchitectureSpec& spec, int numClasses) {
    if (spec.name == "tinynet") return std::make_shared<TinyNetImpl>(spec.preprocess.channels(), numClasses);
    throw Error("no constructor for architecture '" + spec.name + "'");
}

} // namespace graft
