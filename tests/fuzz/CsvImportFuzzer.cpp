// The CSV importer (path,label lines, paths relative to the file) on hostile text, into an
// in-memory project: malformed lines are skipped with a reason, never a crash.
#include "data/CsvImport.h"
#include "project/ProjectFile.h"

#include "FuzzFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto csv = graft::fuzz::writeInput("labels.csv", data, size);
    graft::Database db = graft::openInMemoryProject();
    try {
        graft::importCsv(db, csv);
    } catch (const graft::Error&) {
    }
    return 0;
}
