#pragma once

#include "data/ImportReport.h"
#include "project/Database.h"

#include <filesystem>
#include <vector>

namespace graft {

// ImageFolder layout: root/<class>/**/<image> is labelled <class>; images directly in root
// come in unlabelled. Files are read in sorted order so imports are reproducible.
ImportReport importImageFolder(Database& db, const std::filesystem::path& root, const ImportOptions& options = {});

// Loose files, unlabelled.
ImportReport importImageFiles(Database& db, const std::vector<std::filesystem::path>& files,
                              const ImportOptions& options = {});

bool hasImageExtension(const std::filesystem::path& path);

} // namespace graft
