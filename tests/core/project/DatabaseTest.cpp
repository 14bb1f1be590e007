#include "project/Database.h"

#include <gtest/gtest.h>

namespace graft {
namespace {

TEST(Database, StatementRoundTripsEveryColumnType) {
    Database db(":memory:", Database::Mode::Create);
    db.exec("CREATE TABLE t(i INTEGER, r REAL, s TEXT, b BLOB, n INTEGER)");
    const std::vector<std::uint8_t> blob = {0, 1, 2, 255};
    db.prepare("INSERT INTO t VALUES(?, ?, ?, ?, ?)")
        .bind(1, std::int64_t(1) << 40)
        .bind(2, 2.5)
        .bind(3, "h\xc3\xa9llo")
        .bindBlob(4, blob)
        .bindNull(5)
        .run();
    auto row = db.prepare("SELECT i, r, s, b, n FROM t");
    ASSERT_TRUE(row.step());
    EXPECT_EQ(row.columnInt(0), std::int64_t(1) << 40);
    EXPECT_DOUBLE_EQ(row.columnDouble(1), 2.5);
    EXPECT_EQ(row.columnText(2), "h\xc3\xa9llo");
    EXPECT_EQ(row.columnBlob(3), blob);
    EXPECT_TRUE(row.isNull(4));
    EXPECT_FALSE(row.step());
}

TEST(Database, TransactionRollsBackUnlessCommitted) {
    Database db(":memory:", Database::Mode::Create);
    db.exec("CREATE TABLE t(x)");
    {
        Transaction transaction(db);
        db.exec("INSERT INTO t VALUES(1)");
    }
    EXPECT_EQ(db.queryInt("SELECT count(*) FROM t"), 0);
    {
        Transaction transaction(db);
        db.exec("INSERT INTO t VALUES(1)");
        transaction.commit();
    }
    EXPECT_EQ(db.queryInt("SELECT count(*) FROM t"), 1);
}

TEST(Database, InvalidSqlThrowsWithTheStatement) {
    Database db(":memory:", Database::Mode::Create);
    try {
        db.prepare("SELEC nonsense");
        FAIL() << "expected DatabaseError";
    } catch (const DatabaseError& error) {
        EXPECT_NE(std::string(error.what()).find("SELEC nonsense"), std::string::npos) << error.what();
    }
}

} // namespace
} // namespace graft
