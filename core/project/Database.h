#pragma once

#include "common/Error.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace graft {

class DatabaseError : public Error {
public:
    using Error::Error;
};

// A prepared statement that lives no longer than the query it runs.
// Bind indices are 1-based, column indices 0-based, as in SQLite.
class Statement {
public:
    Statement(sqlite3* db, std::string_view sql);
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement& operator=(Statement&&) = delete;

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, std::int64_t(value)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
    Statement& bindBlob(int index, std::span<const std::uint8_t> bytes);
    Statement& bindNull(int index);

    // True while a row is available; false once the statement is done.
    bool step();
    // Runs a statement that returns no rows.
    void run();
    void reset();

    bool isNull(int column) const;
    std::int64_t columnInt(int column) const;
    double columnDouble(int column) const;
    std::string columnText(int column) const;
    std::vector<std::uint8_t> columnBlob(int column) const;

private:
    sqlite3* db_;
    sqlite3_stmt* statement_ = nullptr;
};

class Database {
public:
    enum class Mode { ReadOnly, ReadWrite, Create };

    // ":memory:" opens a private in-memory database.
    Database(const std::string& path, Mode mode);
    ~Database();
    Database(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    Database& operator=(Database&&) = delete;

    Statement prepare(std::string_view sql);
    void exec(std::string_view sql);
    std::int64_t queryInt(std::string_view sql);
    std::int64_t lastInsertId() const;
    // Rows changed by the last INSERT/UPDATE/DELETE.
    int changes() const;
    const std::string& path() const { return path_; }
    bool isReadOnly() const { return mode_ == Mode::ReadOnly; }
    // True when SQLite could open the file only for reading (permissions, read-only disk).
    bool isWriteProtected() const;
    // Keeps `resource` (a project's writer lock) alive as long as this connection.
    void holdWhileOpen(std::shared_ptr<const void> resource);

private:
    struct FileIdentity;

    std::string path_;
    Mode mode_;
    sqlite3* db_ = nullptr;
    // Where the file was when opened; commits are refused once it is no longer there.
    std::unique_ptr<FileIdentity> identity_;
    std::shared_ptr<const void> held_;
};

// Rolls back unless commit() was called, so an exception leaves no half-write.
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Database& db_;
    bool done_ = false;
};

} // namespace graft
