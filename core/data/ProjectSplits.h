#pragma once

#include "data/Splits.h"
#include "project/ProjectStore.h"

namespace graft {

// Splits are of images, whichever tasks label them: stratified on one task's classes (images
// without a label in it form a stratum of their own).
struct SplitPolicy {
    SplitRatios ratios;
    std::uint64_t seed = 0;
    std::int64_t task = kFirstTask;
};

// The policy is stored in the project so later imports split the same way.
SplitPolicy readSplitPolicy(ProjectStore& store);

// Splits images labelled in any task that have no split yet; existing assignments never move.
void splitImagesWithoutSplit(ProjectStore& store);
// The same among `images` (just labelled, say): the same assignments where every other labelled
// image has its split, without scanning the project.
void splitImagesWithoutSplit(ProjectStore& store, const std::vector<std::string>& images);

// Stores a new policy and re-splits every labelled image with it.
void resplitAll(ProjectStore& store, const SplitPolicy& policy);

// Every image's split as it is now, for putting back with restoreSplits.
std::vector<SplitAssignment> currentSplits(ProjectStore& store);
// Puts back a policy and exactly these assignments (the undo of resplitAll); other images get none.
void restoreSplits(ProjectStore& store, const SplitPolicy& policy, const std::vector<SplitAssignment>& assignments);

} // namespace graft
