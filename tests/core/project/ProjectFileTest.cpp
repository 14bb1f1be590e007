#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"
#include "project/Schema.h"

#include "TempDir.h"
#include "WithoutPermissionOverride.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>

namespace graft {
namespace {

using testing::readFile;
using testing::TempDir;
using testing::writeFile;

// Asserts that opening `path` fails with a message containing `expected`, and that neither the
// file nor its folder changed (no WAL or journal side files either).
void expectRejectedUntouched(const std::filesystem::path& path, const std::string& expected) {
    const std::string before = readFile(path);
    const auto modified = std::filesystem::last_write_time(path);
    const auto filesBefore = std::distance(std::filesystem::directory_iterator(path.parent_path()), {});
    try {
        openProject(path);
        FAIL() << "opening " << path << " should fail";
    } catch (const ProjectOpenError& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find(path.string()), std::string::npos) << message;
        EXPECT_NE(message.find(expected), std::string::npos) << message;
    }
    EXPECT_EQ(readFile(path), before);
    EXPECT_EQ(std::filesystem::last_write_time(path), modified);
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(path.parent_path()), {}), filesBefore);
}

void makeSqliteFile(const std::filesystem::path& path, const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
}

TEST(ProjectFile, CreateSetsApplicationIdSchemaVersionWalAndForeignKeys) {
    TempDir dir;
    Database db = createProject(dir / "new.graft");
    EXPECT_EQ(db.queryInt("PRAGMA application_id"), kGraftApplicationId);
    EXPECT_EQ(db.queryInt("PRAGMA user_version"), latestSchemaVersion());
    EXPECT_EQ(db.queryInt("PRAGMA foreign_keys"), 1);
    auto mode = db.prepare("PRAGMA journal_mode");
    ASSERT_TRUE(mode.step());
    EXPECT_EQ(mode.columnText(0), "wal");
}

// As after a crash right after creation: nothing has been checkpointed or closed yet.
TEST(ProjectFile, ANewProjectOpensElsewhereBeforeItsCreatorCloses) {
    TempDir dir;
    Database creator = createProject(dir / "new.graft");
    Database reader = openProject(dir / "new.graft", ProjectAccess::ReadOnly);
    EXPECT_EQ(reader.queryInt("PRAGMA user_version"), latestSchemaVersion());
}

TEST(ProjectFile, CreateRefusesToOverwriteAnExistingFile) {
    TempDir dir;
    writeFile(dir / "taken.graft", "precious");
    EXPECT_THROW(createProject(dir / "taken.graft"), ProjectOpenError);
    EXPECT_EQ(readFile(dir / "taken.graft"), "precious");
}

TEST(ProjectFile, ReopenedProjectKeepsItsData) {
    TempDir dir;
    {
        Database db = createProject(dir / "p.graft");
        ProjectStore(db).ensureClass("healthy");
    }
    Database db = openProject(dir / "p.graft");
    const auto classes = ProjectStore(db).classSummaries();
    ASSERT_EQ(classes.size(), 1u);
    EXPECT_EQ(classes[0].name, "healthy");
}

TEST(ProjectFile, OpenRejectsMissingFile) {
    TempDir dir;
    EXPECT_THROW(openProject(dir / "absent.graft"), ProjectOpenError);
    EXPECT_FALSE(std::filesystem::exists(dir / "absent.graft"));
}

TEST(ProjectFile, OpenRejectsEmptyFileWithoutWriting) {
    TempDir dir;
    writeFile(dir / "empty.graft", "");
    expectRejectedUntouched(dir / "empty.graft", "is empty");
}

TEST(ProjectFile, OpenRejectsNonSqliteFileWithoutWriting) {
    TempDir dir;
    writeFile(dir / "notes.graft", std::string(4096, 'x'));
    expectRejectedUntouched(dir / "notes.graft", "not an SQLite database");
}

TEST(ProjectFile, OpenRejectsAnotherApplicationsDatabaseWithoutWriting) {
    TempDir dir;
    makeSqliteFile(dir / "other.db", "PRAGMA application_id = 1234; CREATE TABLE contacts(name TEXT);");
    expectRejectedUntouched(dir / "other.db", "another application");
}

TEST(ProjectFile, OpenRejectsNewerSchemaWithoutWriting) {
    TempDir dir;
    makeSqliteFile(dir / "future.graft", "PRAGMA application_id = " + std::to_string(kGraftApplicationId) +
                                             "; PRAGMA user_version = " + std::to_string(latestSchemaVersion() + 1) +
                                             "; CREATE TABLE future(x);");
    expectRejectedUntouched(dir / "future.graft", "newer Graft");
}

TEST(ProjectFile, OpeningASchema1ProjectKeepsItsCheckpointAsTheLastOne) {
    TempDir dir;
    const auto path = dir / "old.graft";
    {
        Database db(path.string(), Database::Mode::Create);
        db.exec("PRAGMA application_id = " + std::to_string(kGraftApplicationId));
        migrateTo(db, 1);
        db.exec("INSERT INTO runs(arm, arch, init, seed, config, status, pid, process_start, host, graft_version, "
                "torch_version) VALUES('single', 'tinynet', 'scratch', 0, '{}', 'finished', 1, 1, 'h', '0', '0')");
        db.exec("INSERT INTO checkpoints(run_id, epoch, step, data) VALUES(1, 3, 30, x'0102')");
    }
    const std::string before = readFile(path);
    try {
        openProject(path, ProjectAccess::ReadOnly);
        FAIL() << "a read-only open cannot upgrade the schema";
    } catch (const ProjectOpenError& error) {
        EXPECT_NE(std::string(error.what()).find("older Graft (schema version 1"), std::string::npos) << error.what();
    }
    EXPECT_EQ(readFile(path), before);
    {
        Database asWritten = openProject(path, ProjectAccess::ReadOnlyAsWritten);
        EXPECT_EQ(asWritten.queryInt("PRAGMA user_version"), 1) << "read as it is, not upgraded";
        EXPECT_EQ(asWritten.queryInt("SELECT count(*) FROM runs"), 1);
    }
    EXPECT_EQ(readFile(path), before);

    Database db = openProject(path);
    EXPECT_EQ(db.queryInt("PRAGMA user_version"), latestSchemaVersion());
    const auto checkpoint = RunStore(db).checkpoint(1, CheckpointKind::Last);
    ASSERT_TRUE(checkpoint);
    EXPECT_EQ(checkpoint->step, 30);
    EXPECT_EQ(checkpoint->weights, (std::vector<std::uint8_t>{1, 2}));
    EXPECT_TRUE(checkpoint->trainingState.empty());
    EXPECT_FALSE(RunStore(db).checkpoint(1, CheckpointKind::Best));
}

TEST(ProjectFile, WriteProtectedFileIsRefusedForWritingButOpensReadOnly) {
    TempDir dir;
    const auto path = dir / "p.graft";
    {
        Database db = createProject(path);
        ProjectStore(db).ensureClass("healthy");
    }
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::group_read);
    const std::string before = readFile(path);
    testing::withoutPermissionOverride([&] {
        try {
            openProject(path);
            FAIL() << "a write-protected project was opened for writing";
        } catch (const ProjectNotWritableError& error) {
            const std::string message = error.what();
            EXPECT_NE(message.find(path.string()), std::string::npos) << message;
            EXPECT_NE(message.find("write-protected"), std::string::npos) << message;
        }
        Database db = openProject(path, ProjectAccess::ReadOnly);
        EXPECT_EQ(ProjectStore(db).classSummaries().size(), 1u);
    });
    EXPECT_EQ(readFile(path), before);
}

TEST(ProjectFile, ProjectInAWriteProtectedFolderIsRefusedForWritingByName) {
    TempDir dir;
    const auto folder = dir / "archive";
    std::filesystem::create_directory(folder);
    const auto path = folder / "p.graft";
    createProject(path);
    std::filesystem::permissions(folder, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    testing::withoutPermissionOverride([&] {
        try {
            openProject(path);
            FAIL() << "a project in a write-protected folder was opened for writing";
        } catch (const ProjectNotWritableError& error) {
            const std::string message = error.what();
            EXPECT_NE(message.find(path.string()), std::string::npos) << message;
            EXPECT_NE(message.find("Permission denied"), std::string::npos) << message;
        }
    });
    std::filesystem::permissions(folder, std::filesystem::perms::owner_all);
}

TEST(ProjectFile, ChangesAreRefusedOnceTheFileIsDeletedWhileOpen) {
    TempDir dir;
    const auto path = dir / "p.graft";
    Database db = createProject(path);
    ProjectStore store(db);
    store.ensureClass("healthy");
    std::filesystem::rename(path, dir / "moved.graft");
    try {
        store.ensureClass("blight");
        FAIL() << "a change to a moved project was accepted, to be lost";
    } catch (const DatabaseError& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find(path.string()), std::string::npos) << message;
        EXPECT_NE(message.find("moved or deleted while open"), std::string::npos) << message;
    }
    EXPECT_EQ(store.classSummaries().size(), 1u) << "the refused change was rolled back";
}

// A disk error or a bad copy: the header is intact, the pages after it are not.
TEST(ProjectFile, ADamagedProjectIsReportedAsDamagedByNameAndNotWritten) {
    TempDir dir;
    const auto path = dir / "p.graft";
    {
        Database db = createProject(path);
        ProjectStore store(db);
        for (int i = 0; i < 50; ++i) store.ensureClass("class " + std::to_string(i));
    }
    std::string bytes = readFile(path);
    ASSERT_GT(bytes.size(), 8192u);
    std::fill(bytes.begin() + 4096, bytes.end(), '\x5a');
    writeFile(path, bytes);
    try {
        Database db = openProject(path);
        ProjectStore(db).classSummaries();
        FAIL() << "a damaged project read as healthy";
    } catch (const Error& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find(path.string()), std::string::npos) << message;
        EXPECT_NE(message.find("is damaged"), std::string::npos) << message;
    }
    EXPECT_EQ(readFile(path), bytes);
}

// Closing any descriptor of a file drops every POSIX lock this process holds on it. Were opening
// the project again to do that, another process closing its own connection would take itself for
// the last one and delete the write-ahead log that this process still writes to.
TEST(ProjectFile, OpeningTheProjectAgainKeepsTheLocksThatGuardItsLogFromOtherProcesses) {
    TempDir dir;
    const auto path = dir / "p.graft";
    const std::filesystem::path log = path.string() + "-wal";
    Database writer = createProject(path);
    ProjectStore store(writer);
    store.ensureClass("healthy");
    ASSERT_TRUE(std::filesystem::exists(log));
    { Database reader = openProject(path, ProjectAccess::ReadOnly); }

    // Another process, such as `graft-cli info`, reads the project and closes it. Not a fork: the
    // child would inherit this process's SQLite state, locks included.
    const std::string otherProcess = std::string(GRAFT_REFERENCE_PYTHON) +
                                     " -c 'import sqlite3, sys; other = sqlite3.connect(sys.argv[1]); "
                                     "other.execute(\"SELECT count(*) FROM classes\").fetchone(); other.close()' " +
                                     path.string();
    ASSERT_EQ(std::system(otherProcess.c_str()), 0) << "the other process could not read the project";
    EXPECT_TRUE(std::filesystem::exists(log)) << "the other process deleted the log of a connection that is still open";
    store.ensureClass("blight");
    EXPECT_EQ(store.classSummaries().size(), 2u);
}

TEST(ProjectFile, InMemoryProjectHasTheFullSchema) {
    Database db = openInMemoryProject();
    EXPECT_EQ(db.queryInt("PRAGMA user_version"), latestSchemaVersion());
    EXPECT_EQ(db.queryInt("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                          "('images','classes','labels','splits','runs','metrics','checkpoints')"),
              7);
}

} // namespace
} // namespace graft
