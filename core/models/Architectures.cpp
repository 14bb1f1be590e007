#include "models/Architectures.h"

#include "common/Error.h"
#include "common/FindByName.h"
#include "models/EfficientNet.h"
#include "models/MobileNetV2.h"
#include "models/MobileNetV3.h"
#include "models/ResNet.h"
#include "models/ScriptBackbones.h"
#include "models/TinyNet.h"
#include "models/TorchScriptClassifier.h"
#include "models/Zoo.h"

namespace graft {

std::vector<ArchitectureSpec> architectures() {
    PreprocessSpec tinyNetInput;
    tinyNetInput.resizeShorter = 28;
    tinyNetInput.crop = 28;
    tinyNetInput.color = ColorMode::Gray;
    // torchvision's ImageNet evaluation transform: Resize(256), CenterCrop(224), ImageNet mean/std.
    PreprocessSpec imageNetInput;
    imageNetInput.resizeShorter = 256;
    imageNetInput.crop = 224;
    imageNetInput.color = ColorMode::Rgb;
    imageNetInput.mean = {0.485f, 0.456f, 0.406f};
    imageNetInput.std = {0.229f, 0.224f, 0.225f};
    // EfficientNet's weights were evaluated with bicubic resizing.
    PreprocessSpec bicubicImageNetInput = imageNetInput;
    bicubicImageNetInput.interpolation = Interpolation::Bicubic;
    return {{"tinynet", "small greyscale CNN for 28-64 px images (0.1 M parameters)", tinyNetInput, {}},
            {"resnet18", "ResNet-18, torchvision-compatible (11.7 M parameters)", imageNetInput, {}},
            {"resnet34", "ResNet-34, torchvision-compatible (21.8 M parameters)", imageNetInput, {}},
            {"resnet50", "ResNet-50, torchvision-compatible (25.6 M parameters)", imageNetInput, {}},
            {"mobilenet_v2", "MobileNetV2, torchvision-compatible (3.5 M parameters)", imageNetInput, {}},
            {"mobilenet_v3_small", "MobileNetV3-Small, torchvision-compatible (2.5 M parameters)", imageNetInput, {}},
            {"mobilenet_v3_large", "MobileNetV3-Large, torchvision-compatible (5.5 M parameters)", imageNetInput, {}},
            {"efficientnet_b0", "EfficientNet-B0, torchvision-compatible (5.3 M parameters)", bicubicImageNetInput, {}}};
}

ArchitectureSpec architectureSpec(const std::string& name) {
    const std::string prefix = kScriptArchPrefix;
    if (name.starts_with(prefix)) {
        const auto script = scriptBackbone(name.substr(prefix.size()), weightsCacheDir());
        return {name, "TorchScript feature extractor (" + std::to_string(script.featureDim) + "-d), frozen, from " + script.source,
                script.input, script.file};
    }
    return findByName(architectures(), name, "architecture");
}

ArchitectureSpec architectureSpec(const std::string& name, int inputSize) {
    auto spec = architectureSpec(name);
    if (inputSize > 0) spec.preprocess = spec.preprocess.atCrop(inputSize);
    return spec;
}

std::recursive_mutex& modelConstructionMutex() {
    static std::recursive_mutex mutex;
    return mutex;
}

std::shared_ptr<ClassifierImpl> createClassifier(const ArchitectureSpec& spec, int numClasses) {
    const std::lock_guard lock(modelConstructionMutex());
    if (!spec.torchScript.empty())
        return std::make_shared<TorchScriptClassifierImpl>(spec.torchScript, spec.preprocess.crop, numClasses);
    if (spec.name == "tinynet") return std::make_shared<TinyNetImpl>(spec.preprocess.channels(), numClasses);
    if (spec.name == "resnet18") return std::make_shared<ResNetImpl>(ResNetDepth::R18, numClasses);
    if (spec.name == "resnet34") return std::make_shared<ResNetImpl>(ResNetDepth::R34, numClasses);
    if (spec.name == "resnet50") return std::make_shared<ResNetImpl>(ResNetDepth::R50, numClasses);
    if (spec.name == "mobilenet_v2") return std::make_shared<MobileNetV2Impl>(numClasses);
    if (spec.name == "mobilenet_v3_small") return std::make_shared<MobileNetV3Impl>(MobileNetV3Size::Small, numClasses);
    if (spec.name == "mobilenet_v3_large") return std::make_shared<MobileNetV3Impl>(MobileNetV3Size::Large, numClasses);
    if (spec.name == "efficientnet_b0") return std::make_shared<EfficientNetB0Impl>(numClasses);
    throw Error("no constructor for architecture '" + spec.name + "'");
}

} // namespace graft
