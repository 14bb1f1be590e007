// The project opener on hostile files: header checks, SQLite, migrations and marking dead runs
// interrupted, then reading what the UI reads first. Bad files must be refused with an Error.
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"

#include "FuzzFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = graft::fuzz::writeInput("fuzz.graft", data, size);
    for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
    try {
        graft::Database db = graft::openProject(path);
        graft::ProjectStore store(db);
        store.classSummaries();
        store.catalog();
        graft::RunStore(db).runs();
    } catch (const graft::Error&) {
    }
    return 0;
}
