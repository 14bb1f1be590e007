#include "models/Classifier.h"

namespace graft {

std::string friendlyType(const torch::nn::Module& module) {
    std::string name = module.name();
    if (const auto colon = name.rfind("::"); colon != std::string::npos) name = name.substr(colon + 2);
    if (name.ends_with("Impl")) name.resize(name.size() - 4);
    const auto children = module.children();
    if (name != "Sequential" || children.empty()) return name;
    std::vector<std::string> types;
    for (const auto& child : children) types.push_back(friendlyType(*child));
    if (std::all_of(types.begin(), types.end(), [&](const std::string& type) { return type == types.front(); }))
        return name + "(" + std::to_string(types.size()) + " x " + types.front() + ")";
    std::string parts;
    for (const auto& type : types) parts += (parts.empty() ? "" : ", ") + type;
    return name + "(" + parts + ")";
}

NetworkBlock sequenceItemBlock(const std::string& sequenceName, const torch::nn::Sequential& sequence, std::size_t index) {
    const std::string name = sequenceName + "." + std::to_string(index);
    auto item = sequence->begin()[std::ptrdiff_t(index)];
    return {name, friendlyType(*sequence->ptr(index)), {name + "."},
            [item](torch::Tensor x) mutable { return item.forward(x); }};
}

NetworkBlock globalPoolBlock() {
    return {"pool", "GlobalAvgPool", {}, [](torch::Tensor x) { return x.mean({2, 3}); }};
}

} // namespace graft
