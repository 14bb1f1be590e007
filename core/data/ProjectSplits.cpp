#include "data/ProjectSplits.h"

#include <string>

namespace graft {
namespace {

void applyAssignments(ProjectStore& store, const std::vector<SplitAssignment>& assignments) {
    for (const auto& assignment : assignments) store.setSplit(assignment.sha256, assignment.split);
}

void writePolicy(ProjectStore& store, const SplitPolicy& policy) {
    store.setSetting("split.val", std::to_string(policy.ratios.val));
    store.setSetting("split.test", std::to_string(policy.ratios.test));
    store.setSetting("split.seed", std::to_string(policy.seed));
    store.setSetting("split.task", std::to_string(policy.task));
}

// The images to split, stratified by their classes in the policy's task.
ProjectStore strata(ProjectStore& store, const SplitPolicy& policy) { return ProjectStore(store.database(), policy.task); }

} // namespace

SplitPolicy readSplitPolicy(ProjectStore& store) {
    SplitPolicy policy;
    if (auto value = store.setting("split.val")) policy.ratios.val = std::stod(*value);
    if (auto value = store.setting("split.test")) policy.ratios.test = std::stod(*value);
    if (auto value = store.setting("split.seed")) policy.seed = std::stoull(*value);
    if (auto value = store.setting("split.task")) policy.task = std::stoll(*value);
    return policy;
}

void splitImagesWithoutSplit(ProjectStore& store) {
    const SplitPolicy policy = readSplitPolicy(store);
    applyAssignments(store, stratifiedSplit(strata(store, policy).imagesToSplitWithoutSplit(), policy.ratios, policy.seed));
}

void splitImagesWithoutSplit(ProjectStore& store, const std::vector<std::string>& images) {
    const SplitPolicy policy = readSplitPolicy(store);
    applyAssignments(store, stratifiedSplit(strata(store, policy).imagesToSplitWithoutSplit(images), policy.ratios, policy.seed));
}

void resplitAll(ProjectStore& store, const SplitPolicy& policy) {
    restoreSplits(store, policy, stratifiedSplit(strata(store, policy).imagesToSplit(), policy.ratios, policy.seed));
}

std::vector<SplitAssignment> currentSplits(ProjectStore& store) {
    std::vector<SplitAssignment> assignments;
    for (const auto& image : store.catalog())
        if (image.split) assignments.push_back({image.sha256, *image.split});
    return assignments;
}

void restoreSplits(ProjectStore& store, const SplitPolicy& policy, const std::vector<SplitAssignment>& assignments) {
    writePolicy(store, policy);
    store.clearSplits();
    applyAssignments(store, assignments);
}

} // namespace graft
