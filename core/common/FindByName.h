#pragma once

#include "common/Error.h"

#include <string>
#include <vector>

namespace graft {

// The item whose `name` matches; otherwise an error that lists the names there are, so a typo
// is easy to fix. `what` names the kind of item ("architecture", "zoo entry").
template <typename Item>
Item findByName(const std::vector<Item>& items, const std::string& name, const std::string& what) {
    std::string known;
    for (const auto& item : items) {
        if (item.name == name) return item;
        known += (known.empty() ? "" : ", ") + item.name;
    }
    throw Error("unknown " + what + " '" + name + "' (known: " + (known.empty() ? "none yet" : known) + ")");
}

} // namespace graft
