#include "data/AutoImport.h"

#include "data/CsvImport.h"
#include "data/FolderImport.h"
#include "data/IdxImport.h"

namespace graft {
namespace {

namespace fs = std::filesystem;

void merge(ImportReport& into, ImportReport&& from) {
    into.added += from.added;
    into.labeled += from.labeled;
    into.cancelled = into.cancelled || from.cancelled;
    for (auto& file : from.duplicates) into.duplicates.push_back(std::move(file));
    for (auto& file : from.skipped) into.skipped.push_back(std::move(file));
}

} // namespace

ImportReport importPaths(Database& db, const std::vector<fs::path>& paths, const std::vector<std::string>& idxClassNames,
                         const ImportOptions& options) {
    ImportReport report;
    std::vector<fs::path> looseFiles;
    for (const auto& path : paths) {
        if (report.cancelled) break;
        std::error_code error;
        if (!fs::exists(path, error)) throw Error(path.string() + ": no such file or folder");
        if (fs::is_directory(path, error)) {
            const auto pairs = findIdxPairs(path);
            if (pairs.empty()) merge(report, importImageFolder(db, path, options));
            for (const auto& pair : pairs) merge(report, importIdx(db, pair.images, pair.labels, idxClassNames, options));
        } else if (const auto pair = idxPairOf(path)) {
            merge(report, importIdx(db, pair->images, pair->labels, idxClassNames, options));
        } else if (path.extension() == ".csv") {
            merge(report, importCsv(db, path, options));
        } else {
            looseFiles.push_back(path);
        }
    }
    if (!looseFiles.empty() && !report.cancelled) merge(report, importImageFiles(db, looseFiles, options));
    return report;
}

} // namespace graft
