#pragma once

#include "data/FolderImport.h"
#include "project/ProjectFile.h"

#include "ShapesFolder.h"

#include <filesystem>

namespace graft::testing {

// A project of labelled shapes in domain "plain" and inverted ones in domain "inverted", each
// split by the importer; the folders are written under `scratch`.
inline std::filesystem::path createTwoDomainShapesProject(const std::filesystem::path& file, const std::filesystem::path& scratch,
                                                          int perClass) {
    writeShapesFolder(scratch / "plain", perClass, 1);
    writeInvertedShapesFolder(scratch / "inverted", perClass, 2);
    Database db = createProject(file);
    ImportOptions plain, inverted;
    plain.domain = "plain";
    inverted.domain = "inverted";
    importImageFolder(db, scratch / "plain", plain);
    importImageFolder(db, scratch / "inverted", inverted);
    return file;
}

} // namespace graft::testing
