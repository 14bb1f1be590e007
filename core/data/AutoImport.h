#pragma once

#include "data/ImportReport.h"
#include "project/Database.h"

#include <filesystem>
#include <string>
#include <vector>

namespace graft {

// What `graft-cli import` and drag-and-drop accept: a folder holding IDX pairs, an IDX images
// file (its labels file beside it), an
// ImageFolder-style folder, a .csv file, or image files. The reports are merged.
ImportReport importPaths(Database& db, const std::vector<std::filesystem::path>& paths,
                         const std::vector<std::string>& idxClassNames = {}, const ImportOptions& options = {});

} // namespace graft
