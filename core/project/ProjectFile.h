#pragma once

#include "common/Error.h"
#include "project/Database.h"

#include <filesystem>

namespace graft {

// Raised when a file cannot be opened as a project; the file is left byte-for-byte untouched.
class ProjectOpenError : public Error {
public:
    using Error::Error;
};

enum class ProjectAccess { ReadOnly, ReadWrite };

// Creates a new .graft file; refuses to overwrite an existing one.
Database createProject(const std::filesystem::path& path);

// Validates the header (SQLite, Graft's application_id, a schema this build knows) before
// SQLite opens the file, then migrates older schemas and marks runs whose process died
// as interrupted (ReadWrite only).
Database openProject(const std::filesystem::path& path, ProjectAccess access = ProjectAccess::ReadWrite);

Database openInMemoryProject();

} // namespace graft
