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

namespace {

using faltrain::sqlite::StatementCache;

int CountRows(StatementCache& cache) {
  Statement count(cache, "SELECT COUNT(*) FROM t");
  REQUIRE(count.Step() == SQLITE_ROW);
  return static_cast<int>(count.Int(0));
}

}  // namespace

TEST_CASE("StatementCache compiles each SQL text once and gives it back reset and unbound") {
  auto db = OpenMemory();
  StatementCache cache(db.get());
  const char* insert_sql = "INSERT INTO t (id, name) VALUES (?, ?)";
  for (int id = 1; id <= 3; ++id) {
    Statement insert(cache, insert_sql);
    REQUIRE(insert.ok());
    CHECK(insert.Bind(id).Bind("n").Step() == SQLITE_DONE);
  }
  CHECK(cache.size() == 1);
  CHECK(CountRows(cache) == 3);
  CHECK(cache.size() == 2);
  {
    // Given back unbound: a borrower that binds nothing inserts NULLs, not the last bindings.
    Statement insert(cache, insert_sql);
    CHECK(insert.Step() == SQLITE_DONE);
  }
  Statement names(cache, "SELECT COUNT(*) FROM t WHERE name IS NULL");
  REQUIRE(names.Step() == SQLITE_ROW);
  CHECK(names.Int(0) == 1);
}

TEST_CASE("StatementCache: a statement borrowed twice at once is compiled afresh for the second") {
  auto db = OpenMemory();
  StatementCache cache(db.get());
  REQUIRE(sqlite3_exec(db.get(), "INSERT INTO t (id) VALUES (1), (2)", nullptr, nullptr, nullptr) == SQLITE_OK);
  const char* sql = "SELECT id FROM t ORDER BY id";
  Statement outer(cache, sql);
  REQUIRE(outer.Step() == SQLITE_ROW);
  CHECK(outer.Int(0) == 1);
  {
    Statement inner(cache, sql);  // the cached one is mid-read in `outer`
    REQUIRE(inner.Step() == SQLITE_ROW);
    CHECK(inner.Int(0) == 1);
  }
  REQUIRE(outer.Step() == SQLITE_ROW);  // the nested borrower did not disturb it
  CHECK(outer.Int(0) == 2);
  CHECK(cache.size() == 1);
}

TEST_CASE("StatementCache: SQL that does not compile fails its steps and is not kept") {
  auto db = OpenMemory();
  StatementCache cache(db.get());
  Statement bad(cache, "SELEC nothing");
  CHECK_FALSE(bad.ok());
  CHECK(bad.Step() != SQLITE_ROW);
  CHECK(cache.size() == 0);
}
