#include "project/ProjectFile.h"
#include "project/ProjectLock.h"
#include "project/ProjectStore.h"

#include "TempDir.h"
#include "WriterProcess.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

namespace graft {
namespace {

using testing::TempDir;
using testing::WriterProcess;

TEST(ProjectLock, OpenForWritingRefusedWhileAnotherProcessWritesAndNamesItsPid) {
    TempDir dir;
    const auto path = dir / "p.graft";
    createProject(path);
    WriterProcess writer(path);
    try {
        openProject(path);
        FAIL() << "a second writer was let in";
    } catch (const ProjectNotWritableError& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find(path.string()), std::string::npos) << message;
        EXPECT_NE(message.find("in use by"), std::string::npos) << message;
        EXPECT_NE(message.find("PID " + std::to_string(writer.pid())), std::string::npos) << message;
    }
    EXPECT_NO_THROW(openProject(path, ProjectAccess::ReadOnly)) << "readers are never locked out";
}

TEST(ProjectLock, KilledWriterLeavesNoStaleLock) {
    TempDir dir;
    const auto path = dir / "p.graft";
    createProject(path);
    WriterProcess writer(path);
    EXPECT_THROW(openProject(path), ProjectNotWritableError);
    writer.kill();
    Database db = openProject(path);
    EXPECT_GT(ProjectStore(db).ensureClass("healthy"), 0);
}

TEST(ProjectLock, WritersInOneProcessShareTheLockAndTheLastRemovesItsFile) {
    TempDir dir;
    const auto path = dir / "p.graft";
    {
        Database first = createProject(path);
        Database second = openProject(path);
        ProjectStore(second).ensureClass("healthy");
        EXPECT_TRUE(std::filesystem::exists(ProjectLock::lockFilePath(path)));
    }
    EXPECT_FALSE(std::filesystem::exists(ProjectLock::lockFilePath(path)));
    // Released means another process can write it now.
    const pid_t child = fork();
    if (child == 0) {
        try {
            Database db = openProject(path);
            ProjectStore(db).ensureClass("blight");
            _exit(0);
        } catch (...) {
            _exit(1);
        }
    }
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    Database db = openProject(path, ProjectAccess::ReadOnly);
    EXPECT_EQ(ProjectStore(db).classSummaries().size(), 2u);
}

TEST(ProjectLock, RelativeAndAbsolutePathsShareOneLock) {
    TempDir dir;
    const auto path = dir / "p.graft";
    Database absolute = createProject(path);
    const auto previous = std::filesystem::current_path();
    std::filesystem::current_path(dir.path());
    EXPECT_NO_THROW(openProject("p.graft"));
    std::filesystem::current_path(previous);
}

} // namespace
} // namespace graft
