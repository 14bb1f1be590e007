#pragma once

#include "project/Database.h"

#include <filesystem>
#include <functional>

namespace graft {

// Creates a project at `path` that `fill` writes, all or nothing: it is built beside the path
// (PATH.creating) and renamed into place once `fill` returns, so an error or a stop (thrown by
// `fill`) leaves nothing behind. Refuses an existing path; errors name the file.
void buildProject(const std::filesystem::path& path, const std::function<void(Database&)>& fill);

} // namespace graft
