#include "project/Database.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <utility>

namespace graft {
namespace {

constexpr int kBusyTimeoutMs = 5000;

// What went wrong, in words a person can act on; the raw SQLite message for the rest.
std::string explain(sqlite3* db) {
    if (!db) return "out of memory";
    const int code = sqlite3_extended_errcode(db);
    if (code == SQLITE_CONSTRAINT_COMMITHOOK)
        return "the project file was moved or deleted while open, so this change was not saved; "
               "reopen the project where it is now";
    switch (code & 0xff) {
    case SQLITE_FULL: return "the disk is full, so this change was not saved; free some space and try again";
    case SQLITE_READONLY:
        return std::string("cannot be written (") + sqlite3_errmsg(db) +
               "); check the file's permissions and that its disk is not read-only";
    case SQLITE_IOERR: return std::string("disk I/O error (") + sqlite3_errmsg(db) + "), so this change was not saved";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return std::string("is damaged (") + sqlite3_errmsg(db) +
               "); restore it from a backup. `sqlite3 FILE .recover` may rescue what is left";
    default: return sqlite3_errmsg(db);
    }
}

[[noreturn]] void fail(sqlite3* db, std::string_view context) {
    throw DatabaseError(std::string(context) + ": " + explain(db));
}

std::string dbName(sqlite3* db) {
    const char* file = sqlite3_db_filename(db, "main");
    return file && *file ? file : ":memory:";
}

} // namespace

struct Database::FileIdentity {
    std::string path;
    dev_t device = 0;
    ino_t inode = 0;

    bool stillThere() const {
        struct stat now {};
        return stat(path.c_str(), &now) == 0 && now.st_dev == device && now.st_ino == inode;
    }

    // In WAL mode SQLite keeps writing to a deleted file, losing every later change silently;
    // a non-zero return turns the commit into a rollback that the caller sees as an error.
    static int refuseCommitIfGone(void* identity) { return static_cast<FileIdentity*>(identity)->stillThere() ? 0 : 1; }
};

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db_, sql.data(), int(sql.size()), &statement_, nullptr) != SQLITE_OK)
        fail(db_, dbName(db_) + ": cannot prepare '" + std::string(sql) + "'");
}

Statement::~Statement() { sqlite3_finalize(statement_); }

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), statement_(std::exchange(other.statement_, nullptr)) {}

Statement& Statement::bind(int index, std::int64_t value) {
    if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) fail(db_, "bind");
    return *this;
}

Statement& Statement::bind(int index, double value) {
    if (sqlite3_bind_double(statement_, index, value) != SQLITE_OK) fail(db_, "bind");
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    if (sqlite3_bind_text64(statement_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8) !=
        SQLITE_OK)
        fail(db_, "bind");
    return *this;
}

Statement& Statement::bindBlob(int index, std::span<const std::uint8_t> bytes) {
    if (sqlite3_bind_blob64(statement_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT) != SQLITE_OK)
        fail(db_, "bind");
    return *this;
}

Statement& Statement::bindNull(int index) {
    if (sqlite3_bind_null(statement_, index) != SQLITE_OK) fail(db_, "bind");
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(statement_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, dbName(db_));
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
}

bool Statement::isNull(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }

std::int64_t Statement::columnInt(int column) const { return sqlite3_column_int64(statement_, column); }

double Statement::columnDouble(int column) const { return sqlite3_column_double(statement_, column); }

std::string Statement::columnText(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
    return text ? std::string(text, std::size_t(sqlite3_column_bytes(statement_, column))) : std::string();
}

std::vector<std::uint8_t> Statement::columnBlob(int column) const {
    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement_, column));
    return data ? std::vector<std::uint8_t>(data, data + sqlite3_column_bytes(statement_, column))
                : std::vector<std::uint8_t>();
}

Database::Database(const std::string& path, Mode mode) : path_(path), mode_(mode) {
    int flags = SQLITE_OPEN_FULLMUTEX;
    switch (mode) {
    case Mode::ReadOnly: flags |= SQLITE_OPEN_READONLY; break;
    case Mode::ReadWrite: flags |= SQLITE_OPEN_READWRITE; break;
    case Mode::Create: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE; break;
    }
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
        const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw DatabaseError(path + ": cannot open: " + message);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    struct stat opened {};
    if (mode != Mode::ReadOnly && path != ":memory:" && stat(path.c_str(), &opened) == 0) {
        identity_ = std::make_unique<FileIdentity>(FileIdentity{path, opened.st_dev, opened.st_ino});
        sqlite3_commit_hook(db_, &FileIdentity::refuseCommitIfGone, identity_.get());
    }
}

// The connection closes before the lock it holds is released.
Database::~Database() { sqlite3_close_v2(db_); }

Database::Database(Database&& other) noexcept
    : path_(std::move(other.path_)), mode_(other.mode_), db_(std::exchange(other.db_, nullptr)),
      identity_(std::move(other.identity_)), held_(std::move(other.held_)) {}

bool Database::isWriteProtected() const { return sqlite3_db_readonly(db_, "main") == 1; }

void Database::holdWhileOpen(std::shared_ptr<const void> resource) { held_ = std::move(resource); }

Statement Database::prepare(std::string_view sql) { return Statement(db_, sql); }

void Database::exec(std::string_view sql) {
    if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
        throw DatabaseError(path_ + ": " + explain(db_));
}

std::int64_t Database::queryInt(std::string_view sql) {
    Statement statement = prepare(sql);
    if (!statement.step()) throw DatabaseError(path_ + ": no result for '" + std::string(sql) + "'");
    return statement.columnInt(0);
}

std::int64_t Database::lastInsertId() const { return sqlite3_last_insert_rowid(db_); }

int Database::changes() const { return sqlite3_changes(db_); }

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
    if (!done_) {
        try {
            db_.exec("ROLLBACK");
        } catch (const DatabaseError&) {
            // SQLite may already have rolled back on its own (e.g. SQLITE_FULL); nothing is left to undo.
        }
    }
}

void Transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

} // namespace graft
