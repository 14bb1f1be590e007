#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace graft {
class RemoteTraining;
}

namespace graft::cli {

// Runs a stored experiment with a progress line and ETA (Ctrl+C stops it; running it again
// continues) and returns the exit code. `remotes`: other ranks that take trials too.
int runExperimentInConsole(const std::filesystem::path& project, std::int64_t id, bool json, int parallel,
                           const std::vector<RemoteTraining*>& remotes = {});
// The comparison table with its verdicts (or its JSON), and the reports written to `out`.
void printComparison(const std::filesystem::path& project, std::int64_t id, const std::filesystem::path& out, bool json);

} // namespace graft::cli
