#include "project/ProjectFile.h"

#include "project/RunStore.h"
#include "project/Schema.h"

#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace graft {
namespace {

namespace fs = std::filesystem;

// Layout of the 100-byte database header: https://www.sqlite.org/fileformat.html
constexpr std::size_t kHeaderSize = 100;
constexpr std::size_t kUserVersionOffset = 60;
constexpr std::size_t kApplicationIdOffset = 68;
constexpr char kSqliteMagic[] = "SQLite format 3";

std::uint32_t readBigEndian32(const std::array<unsigned char, kHeaderSize>& header, std::size_t offset) {
    return (std::uint32_t(header[offset]) << 24) | (std::uint32_t(header[offset + 1]) << 16) |
           (std::uint32_t(header[offset + 2]) << 8) | std::uint32_t(header[offset + 3]);
}

std::string hex32(std::uint32_t value) {
    char text[11];
    std::snprintf(text, sizeof text, "0x%08x", value);
    return text;
}

// Reads the header with plain file I/O so that a rejected file is never touched by SQLite.
void validateHeader(const fs::path& path) {
    const std::string name = path.string();
    std::error_code error;
    if (!fs::exists(path, error)) throw ProjectOpenError(name + ": no such file");
    if (fs::is_directory(path, error)) throw ProjectOpenError(name + ": is a folder, not a Graft project file");
    std::ifstream file(path, std::ios::binary);
    if (!file) throw ProjectOpenError(name + ": cannot be read (" + std::strerror(errno) + ")");
    std::array<unsigned char, kHeaderSize> header{};
    file.read(reinterpret_cast<char*>(header.data()), header.size());
    const auto bytesRead = std::size_t(file.gcount());
    if (bytesRead == 0) throw ProjectOpenError(name + ": is empty, not a Graft project");
    if (bytesRead < kHeaderSize || std::memcmp(header.data(), kSqliteMagic, sizeof kSqliteMagic) != 0)
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
    if (access == ProjectAccess::ReadOnly) {
        Database db(path.string(), Database::Mode::ReadOnly);
        applyConnectionSettings(db);
        if (const auto version = db.queryInt("PRAGMA user_version"); version < latestSchemaVersion()) {
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
