#include "train/FreezePlan.h"

#include "common/Error.h"
#include "models/Classifier.h"

#include <algorithm>
#include <sstream>

namespace graft {
namespace {

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> items;
    std::istringstream stream(text);
    for (std::string item; std::getline(stream, item, ',');)
        if (!item.empty()) items.push_back(item);
    return items;
}

int positiveCount(const std::string& text, const std::string& form) {
    try {
        std::size_t end = 0;
        const int value = std::stoi(text, &end);
        if (end == text.size() && value >= 1) return value;
    } catch (const std::exception&) {
    }
    throw Error("freeze plan '" + form + "' needs a whole number of at least 1 after the colon");
}

std::vector<std::string> parameterBlocks(const std::vector<NetworkBlock>& blocks) {
    std::vector<std::string> names;
    for (const auto& block : blocks)
        if (!block.parameterPrefixes.empty()) names.push_back(block.name);
    return names;
}

void requireKnown(const std::vector<NetworkBlock>& blocks, const std::string& name) {
    std::string known;
    for (const auto& block : blocks) {
        if (block.name == name) return;
        known += (known.empty() ? "" : ", ") + block.name;
    }
    throw Error("freeze plan names block '" + name + "', which this model does not have (blocks: " + known + ")");
}

// All parameter blocks but the last `trainable`.
std::set<std::string> allButLast(const std::vector<std::string>& names, std::size_t trainable) {
    const auto frozen = names.size() > trainable ? names.size() - trainable : 0;
    return {names.begin(), names.begin() + std::ptrdiff_t(frozen)};
}

} // namespace

FreezePlan FreezePlan::parse(const std::string& text) {
    FreezePlan plan;
    plan.text_ = text;
    const auto colon = text.find(':');
    const std::string form = text.substr(0, colon), argument = colon == std::string::npos ? "" : text.substr(colon + 1);
    if ((text == "none" || text == "full") && colon == std::string::npos) plan.kind_ = Kind::None;
    else if (text == "probe") plan.kind_ = Kind::Probe;
    else if (form == "last") plan.kind_ = Kind::LastN, plan.count_ = positiveCount(argument, text);
    else if (form == "gradual") plan.kind_ = Kind::Gradual, plan.count_ = positiveCount(argument, text);
    else if (form == "upto" && !argument.empty()) plan.kind_ = Kind::UpTo, plan.names_ = {argument};
    else if (form == "blocks" && !splitList(argument).empty()) plan.kind_ = Kind::Blocks, plan.names_ = splitList(argument);
    else
        throw Error("unknown freeze plan '" + text +
                    "' (none, probe, last:N, upto:BLOCK, blocks:A,B or gradual:EPOCHS)");
    return plan;
}

std::set<std::string> FreezePlan::frozenAt(const std::vector<NetworkBlock>& blocks, int epoch) const {
    for (const auto& name : names_) requireKnown(blocks, name);
    const auto names = parameterBlocks(blocks);
    std::set<std::string> frozen;
    switch (kind_) {
    case Kind::None: break;
    case Kind::Probe: frozen = allButLast(names, 1); break;
    case Kind::LastN: frozen = allButLast(names, std::size_t(count_) + 1); break;
    case Kind::Gradual: frozen = allButLast(names, 1 + std::size_t((std::max(epoch, 1) - 1) / count_)); break;
    case Kind::UpTo:
        for (const auto& block : blocks) {
            frozen.insert(block.name);
            if (block.name == names_.front()) break;
        }
        break;
    case Kind::Blocks: frozen = {names_.begin(), names_.end()}; break;
    }
    if (std::all_of(names.begin(), names.end(), [&](const auto& name) { return frozen.contains(name); }))
        throw Error("freeze plan '" + text_ + "' freezes every block; nothing would train");
    return frozen;
}

} // namespace graft
