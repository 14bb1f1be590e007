#pragma once

#include "data/SyntheticShapes.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"

#include <filesystem>

namespace graft::testing {

// A new project file holding `perClass` generated circles, squares and triangles, labelled and split.
inline std::filesystem::path createShapesProject(const std::filesystem::path& file, int perClass, std::uint64_t seed = 0) {
    Database db = createProject(file);
    importSyntheticShapes(db, perClass, seed);
    return file;
}

// Removes the label of every other labelled training image: the unlabelled pool that tests of
// semi- and self-supervised training learn from.
inline void unlabelHalfTheTrainingImages(const std::filesystem::path& project) {
    Database db = openProject(project);
    ProjectStore store(db);
    const auto training = store.labeledImagesInSplit(Split::Train);
    for (std::size_t i = 0; i < training.size(); i += 2) store.clearLabel(training[i].sha256);
}

} // namespace graft::testing
