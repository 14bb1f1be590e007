#pragma once

#include "data/ImportReport.h"
#include "project/Database.h"

#include <filesystem>
#include <string>
#include <vector>

namespace graft {

// Splits one CSV line (RFC 4180 quoting, "" escapes a quote).
std::vector<std::string> parseCsvLine(const std::string& line);

// Rows of `path,label`, labelling options.task; an optional header row starts with "path". A
// header naming more columns, `path,disease,severity`, gives a label per task (tasks made when
// new). Relative paths are taken from the CSV file's folder; an empty label leaves the image
// without one in that column's task.
ImportReport importCsv(Database& db, const std::filesystem::path& csvFile, const ImportOptions& options = {});

} // namespace graft
