#include "project/ProjectBuild.h"

#include "common/Error.h"
#include "project/ProjectFile.h"

namespace graft {
namespace {

namespace fs = std::filesystem;

void removeProjectFiles(const fs::path& path) {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal", "-lock"}) fs::remove(path.string() + suffix, ignored);
}

} // namespace

void buildProject(const fs::path& path, const std::function<void(Database&)>& fill) {
    if (fs::exists(path)) throw Error(path.string() + ": already exists; it is only ever created anew");
    std::error_code error;
    if (path.has_parent_path()) fs::create_directories(path.parent_path(), error);
    if (error) throw Error(path.parent_path().string() + ": cannot be created (" + error.message() + ")");
    const fs::path building = path.string() + ".creating";
    removeProjectFiles(building);
    try {
        {
            Database db = createProject(building);
            fill(db);
        }
        fs::rename(building, path, error);
        if (error) throw Error(path.string() + ": cannot be written (" + error.message() + ")");
    } catch (...) {
        removeProjectFiles(building);
        throw;
    }
    removeProjectFiles(building); // the lock file and any WAL leftovers
}

} // namespace graft
