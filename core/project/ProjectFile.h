#pragma once

#include "common/Error.h"
#include "project/Database.h"
#include "project/ProjectLock.h"

#include <filesystem>

namespace graft {

// Raised when a file cannot be opened as a project; the file is left byte-for-byte untouched.
class ProjectOpenError : public Error {
public:
    using Error::Error;
};

// ReadOnlyAsWritten reads a project at the schema an older Graft left it in, without upgrading
// it: for summaries (the welcome page's recent projects); a query that needs a newer table or
// index fails when it runs.
enum class ProjectAccess { ReadOnly, ReadWrite, ReadOnlyAsWritten };

// Creates a new .graft file, as its writer; refuses to overwrite an existing one.
Database createProject(const std::filesystem::path& path);

// Validates the header (SQLite, Graft's application_id, a schema this build knows) before
// SQLite opens the file. ReadWrite then takes the project's writer lock (ProjectNotWritableError
// while another process holds it or the file is write-protected), migrates older schemas and
// marks runs whose process died as interrupted. ReadOnly never waits for or blocks a writer, and
// refuses an older schema, which it cannot upgrade.
Database openProject(const std::filesystem::path& path, ProjectAccess access = ProjectAccess::ReadWrite);

Database openInMemoryProject();

} // namespace graft
