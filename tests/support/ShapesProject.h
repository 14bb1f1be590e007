#pragma once

#include "data/SyntheticShapes.h"
#include "project/ProjectFile.h"

#include <filesystem>

namespace graft::testing {

// A new project file holding `perClass` generated circles, squares and triangles, labelled and split.
inline std::filesystem::path createShapesProject(const std::filesystem::path& file, int perClass, std::uint64_t seed = 0) {
    Database db = createProject(file);
    importSyntheticShapes(db, perClass, seed);
    return file;
}

} // namespace graft::testing
