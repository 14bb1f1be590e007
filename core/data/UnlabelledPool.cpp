#include "data/UnlabelledPool.h"

#include "data/Splits.h"

#include <unordered_set>

namespace graft {

std::vector<std::string> unlabelledPool(ProjectStore& store, HiddenLabels hidden, int labelsPerClass, std::uint64_t seed) {
    std::unordered_set<std::string> hiddenTraining; // from the training split alone
    if (hidden == HiddenLabels::BeyondBudget && labelsPerClass > 0) {
        const auto training = store.labeledImagesInSplit(Split::Train);
        for (const auto& image : training) hiddenTraining.insert(image.sha256);
        for (const auto& kept : sampleEachClass(training, labelsPerClass, seed)) hiddenTraining.erase(kept.sha256);
    }
    std::vector<std::string> pool;
    for (const auto& image : store.catalog())
        if (!image.classId || hiddenTraining.contains(image.sha256)) pool.push_back(image.sha256);
    return pool;
}

} // namespace graft
