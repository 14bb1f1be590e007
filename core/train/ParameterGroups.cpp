#include "train/ParameterGroups.h"

#include "common/Error.h"

#include <cmath>
#include <sstream>

namespace graft {
namespace {

double parseMultiplier(const std::string& text) {
    try {
        std::size_t end = 0;
        const double value = std::stod(text, &end);
        if (end == text.size() && value >= 0 && std::isfinite(value)) return value;
    } catch (const std::exception&) {
    }
    throw Error("learning-rate multiplier '" + text + "' is not a non-negative number");
}

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> items;
    std::istringstream stream(text);
    for (std::string item; std::getline(stream, item, ',');) items.push_back(item);
    return items;
}

bool owns(const NetworkBlock& block, const std::string& name) {
    for (const auto& prefix : block.parameterPrefixes)
        if (name.starts_with(prefix)) return true;
    return false;
}

} // namespace

std::vector<BlockParameters> parametersByBlock(ClassifierImpl& model) {
    const auto blocks = model.blocks();
    std::vector<BlockParameters> groups;
    for (const auto& block : blocks)
        if (!block.parameterPrefixes.empty()) groups.push_back({block.name, {}, {}});
    for (const auto& parameter : model.named_parameters()) {
        std::size_t index = 0;
        bool found = false;
        for (const auto& block : blocks) {
            if (block.parameterPrefixes.empty()) continue;
            if (owns(block, parameter.key())) {
                found = true;
                break;
            }
            ++index;
        }
        if (!found) throw Error("parameter '" + parameter.key() + "' belongs to no block of this model");
        auto& group = groups[index];
        (parameter.value().dim() <= 1 ? group.undecayed : group.decayed).push_back(parameter.value());
    }
    return groups;
}

std::map<std::string, double> learningRateMultipliers(const std::string& text,
                                                      const std::vector<std::string>& trainableBlocks) {
    std::map<std::string, double> multipliers;
    for (const auto& block : trainableBlocks) multipliers[block] = 1.0;
    if (text.empty()) return multipliers;
    const auto items = splitList(text);
    if (text.find('=') == std::string::npos) {
        if (items.size() != 2)
            throw Error("--lr-mult '" + text + "' needs LO,HI (a ramp over the trainable blocks) or BLOCK=X pairs");
        const double low = parseMultiplier(items[0]), high = parseMultiplier(items[1]);
        if (low <= 0 || high <= 0) throw Error("--lr-mult '" + text + "': a ramp needs positive ends");
        const auto count = trainableBlocks.size();
        for (std::size_t i = 0; i < count; ++i)
            multipliers[trainableBlocks[i]] =
                count == 1 ? high : low * std::pow(high / low, double(i) / double(count - 1));
        return multipliers;
    }
    for (const auto& item : items) {
        const auto equals = item.find('=');
        if (equals == std::string::npos) throw Error("--lr-mult item '" + item + "' is not BLOCK=X");
        const auto block = item.substr(0, equals);
        if (!multipliers.contains(block)) {
            std::string known;
            for (const auto& name : trainableBlocks) known += (known.empty() ? "" : ", ") + name;
            throw Error("--lr-mult names '" + block + "', which is not a trainable block (trainable: " + known + ")");
        }
        multipliers[block] = parseMultiplier(item.substr(equals + 1));
    }
    return multipliers;
}

void applyFreeze(const std::vector<BlockParameters>& parameters, const std::set<std::string>& frozen) {
    for (const auto& group : parameters) {
        const bool trainable = !frozen.contains(group.block);
        for (auto tensor : group.decayed) tensor.requires_grad_(trainable);
        for (auto tensor : group.undecayed) tensor.requires_grad_(trainable);
    }
}

void setTrainingModes(ClassifierImpl& model, const std::vector<NetworkBlock>& blocks, const std::set<std::string>& frozen) {
    model.train();
    for (const auto& item : model.named_modules("", false)) {
        const std::string name = item.key() + ".";
        for (const auto& block : blocks)
            if (frozen.contains(block.name) && owns(block, name)) item.value()->eval();
    }
}

} // namespace graft
