#pragma once

#include <cstdint>

namespace graft {

class Database;

// "GRFT": PRAGMA application_id marks a file as a Graft project.
inline constexpr std::uint32_t kGraftApplicationId = 0x47524654;

// PRAGMA user_version of the newest schema this build knows.
int latestSchemaVersion();

// Forward-only: applies every migration above the file's user_version, up to `version`, in one
// transaction. Tests build old projects with it.
void migrateTo(Database& db, int version);
inline void migrateToLatest(Database& db) { migrateTo(db, latestSchemaVersion()); }

} // namespace graft
