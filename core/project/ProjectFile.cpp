#include "project/ProjectFile.h"

#include "project/RunStore.h"
#include "project/Schema.h"

#include <sqlite3.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace graft {
namespace {

namespace fs = std::filesystem;

// Layout of the 100-byte database header: https://www.sqlite.org/fileformat.html
constexpr std::size_t kHeaderSize = 100;
constexpr std::size_t kUserVersionOffset = 60;
constexpr std::size_t kApplicationIdOffset = 68;
constexpr char kSqliteMagic[] = "SQLite format 3";
using Header = std::array<unsigned char, kHeaderSize>;

std::uint32_t readBigEndian32(const Header& header, std::size_t offset) {
    return (std::uint32_t(header[offset]) << 24) | (std::uint32_t(header[offset + 1]) << 16) |
           (std::uint32_t(header[offset + 2]) << 8) | std::uint32_t(header[offset + 3]);
}

std::string hex32(std::uint32_t value) {
    char text[11];
    std::snprintf(text, sizeof text, "0x%08x", value);
    return text;
}

// Reads the header through SQLite's own file layer, not a plain file handle: closing any descriptor
// of a file drops every POSIX lock this process holds on it, including those of the project's open
// connections, and another process could then delete the WAL they write to
// (https://www.sqlite.org/howtocorrupt.html, 2.2). SQLite's close keeps such a descriptor open
// until those locks are released. Nothing is locked or created, so a rejected file stays as it was.
Header readHeader(const fs::path& path) {
    sqlite3_vfs* vfs = sqlite3_vfs_find(nullptr);
    const std::unique_ptr<const char, decltype(&sqlite3_free_filename)> name(
        sqlite3_create_filename(fs::absolute(path).c_str(), "", "", 0, nullptr), &sqlite3_free_filename);
    if (!vfs || !name) throw ProjectOpenError(path.string() + ": cannot be read (out of memory)");
    std::vector<std::max_align_t> storage(std::size_t(vfs->szOsFile) / sizeof(std::max_align_t) + 1);
    auto* file = reinterpret_cast<sqlite3_file*>(storage.data());
    int openedAs = 0;
    if (vfs->xOpen(vfs, name.get(), file, SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB, &openedAs) != SQLITE_OK)
        throw ProjectOpenError(path.string() + ": cannot be read (" + std::strerror(errno) + ")");
    Header header{};
    const int read = file->pMethods->xRead(file, header.data(), int(header.size()), 0);
    file->pMethods->xClose(file);
    if (read != SQLITE_OK && read != SQLITE_IOERR_SHORT_READ) // a short file reads as zeros
        throw ProjectOpenError(path.string() + ": cannot be read (disk I/O error)");
    return header;
}

void validateHeader(const fs::path& path) {
    const std::string name = path.string();
    std::error_code error;
    if (!fs::exists(path, error)) throw ProjectOpenError(name + ": no such file");
    if (fs::is_directory(path, error)) throw ProjectOpenError(name + ": is a folder, not a Graft project file");
    if (access(path.c_str(), R_OK) != 0) throw ProjectOpenError(name + ": cannot be read (" + std::strerror(errno) + ")");
    const auto size = fs::file_size(path, error);
    if (error) throw ProjectOpenError(name + ": cannot be read (" + error.message() + ")");
    if (size == 0) throw ProjectOpenError(name + ": is empty, not a Graft project");
    const Header header = readHeader(path);
    if (size < kHeaderSize || std::memcmp(header.data(), kSqliteMagic, sizeof kSqliteMagic) != 0)
        throw ProjectOpenError(name + ": is not a Graft project (not an SQLite database)");

    const std::uint32_t applicationId = readBigEndian32(header, kApplicationIdOffset);
    if (applicationId != kGraftApplicationId)
        throw ProjectOpenError(name + ": is an SQLite database of another application (application_id " +
                               hex32(applicationId) + "), not a Graft project");
    const std::uint32_t schemaVersion = readBigEndian32(header, kUserVersionOffset);
    if (schemaVersion > std::uint32_t(latestSchemaVersion()))
        throw ProjectOpenError(name + ": was written by a newer Graft (schema version " +
                               std::to_string(schemaVersion) + "; this Graft reads up to " +
                               std::to_string(latestSchemaVersion()) + "). Update Graft to open it.");
}

void applyConnectionSettings(Database& db) {
    db.exec("PRAGMA foreign_keys = ON");
    if (db.isReadOnly()) return;
    // WAL lets the recorder write while readers (UI, `graft-cli info`) read; NORMAL sync in WAL
    // survives a killed process, losing at most the transaction being written.
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
}

} // namespace

Database createProject(const fs::path& path) {
    std::error_code error;
    if (fs::exists(path, error))
        throw ProjectOpenError(path.string() + ": already exists; choose a new file name for the project");
    auto lock = ProjectLock::acquire(path);
    Database db(path.string(), Database::Mode::Create);
    db.holdWhileOpen(std::move(lock));
    // Before WAL: in WAL mode the header would reach the file only at the first checkpoint, and
    // until then (or after a crash) openProject's header check would see no Graft project.
    db.exec("PRAGMA application_id = " + std::to_string(kGraftApplicationId));
    migrateToLatest(db);
    applyConnectionSettings(db);
    return db;
}

Database openProject(const fs::path& path, ProjectAccess access) {
    validateHeader(path);
    if (access != ProjectAccess::ReadWrite) {
        Database db(path.string(), Database::Mode::ReadOnly);
        applyConnectionSettings(db);
        if (const auto version = db.queryInt("PRAGMA user_version");
            access == ProjectAccess::ReadOnly && version < latestSchemaVersion()) {
            throw ProjectOpenError(path.string() + ": was written by an older Graft (schema version " +
                                   std::to_string(version) + "; this Graft writes " +
                                   std::to_string(latestSchemaVersion()) +
                                   "). Open it once for writing (in Graft, or with graft-cli info) to upgrade it.");
        }
        return db;
    }
    auto lock = ProjectLock::acquire(path);
    Database db(path.string(), Database::Mode::ReadWrite);
    if (db.isWriteProtected()) {
        throw ProjectNotWritableError(path.string() + ": is write-protected (file permissions, or a read-only disk)",
                                      "Open it read-only, or copy it somewhere writable");
    }
    db.holdWhileOpen(std::move(lock));
    applyConnectionSettings(db);
    migrateToLatest(db);
    RunStore(db).markDeadRunsInterrupted();
    return db;
}

Database openInMemoryProject() {
    Database db(":memory:", Database::Mode::Create);
    db.exec("PRAGMA foreign_keys = ON");
    db.exec("PRAGMA application_id = " + std::to_string(kGraftApplicationId));
    migrateToLatest(db);
    return db;
}

} // namespace graft
