// faltrain::sqlite::Statement: binding in order, stepping, typed columns, errors that name the step.

#include <faltrain/sqlite/statement.hpp>

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <memory>

namespace {

using faltrain::sqlite::Statement;

std::unique_ptr<sqlite3, int (*)(sqlite3*)> OpenMemory() {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB)",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  return {db, sqlite3_close};
}

TEST_CASE("Statement binds in order and reads each column type back") {
  auto db = OpenMemory();
  Statement insert(db.get(), "INSERT INTO t (id, name, score, data) VALUES (?, ?, ?, ?)");
  REQUIRE(insert.ok());
  const std::string bytes("a\0b", 3);
  CHECK(insert.Bind(7).Bind("Ана").Bind(0.5).BindBlob(bytes).Step() == SQLITE_DONE);
  insert.Reset();
  CHECK(insert.Bind(std::int64_t{8}).BindNull().BindNull().BindNull().Run("insert").has_value());

  Statement select(db.get(), "SELECT id, name, score, data FROM t ORDER BY id");
  REQUIRE(select.Step() == SQLITE_ROW);
  CHECK(select.Int(0) == 7);
  CHECK(select.Text(1) == "Ана");
  CHECK(select.Double(2) == 0.5);
  CHECK(select.Blob(3) == bytes);
  REQUIRE(select.Step() == SQLITE_ROW);
  CHECK(select.Null(1));
  CHECK(select.Text(1).empty());
  CHECK(select.Step() == SQLITE_DONE);
}

TEST_CASE("Statement reports SQL that does not compile and constraint failures") {
  auto db = OpenMemory();
  Statement bad(db.get(), "SELEKT 1");
  CHECK_FALSE(bad.ok());
  CHECK(bad.Step() != SQLITE_ROW);
  auto run = bad.Run("the bad step");
  REQUIRE_FALSE(run.has_value());
  CHECK(run.error().code == faltrain::errc::storage_error);
  CHECK(run.error().message.rfind("the bad step: ", 0) == 0);

  Statement insert(db.get(), "INSERT INTO t (id) VALUES (?)");
  CHECK(insert.Bind(1).Step() == SQLITE_DONE);
  insert.Reset();
  CHECK(insert.Bind(1).Step() == SQLITE_CONSTRAINT);
}

}  // namespace
