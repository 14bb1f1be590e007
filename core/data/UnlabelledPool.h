#pragma once

#include "project/ProjectStore.h"

#include <cstdint>
#include <string>
#include <vector>

namespace graft {

// What semi- and self-supervised training may learn from without labels: every image without a
// label and, for a simulation on a labelled dataset, the labelled training images that a label
// budget leaves out (the same seeded choice as training's labelsPerClass). Labelled validation
// and test images never enter it, hidden or not: they judge what the pool taught.
enum class HiddenLabels {
    None,         // only images without a label
    BeyondBudget, // also the training images past `labelsPerClass` per class
};

// SHA-256s in import order.
std::vector<std::string> unlabelledPool(ProjectStore& store, HiddenLabels hidden, int labelsPerClass, std::uint64_t seed);

} // namespace graft
