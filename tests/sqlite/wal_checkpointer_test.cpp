// detail::WalCheckpointer: copies the log back from its own connection and, once the log is long,
// pauses the writer for a last copy so that the log restarts instead of growing under steady writes.

#include "sqlite/detail/wal_checkpointer.hpp"
#include "support/sqlite_contract_backend.hpp"  // TempDir

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace {

using faltrain::detail::WalCheckpointer;
using Connection = std::unique_ptr<sqlite3, int (*)(sqlite3*)>;

// A database file in a directory of its own, removed with it.
struct TempDb {
  job_store_contract::TempDir dir;
  std::filesystem::path file = dir.path / "t.db";
  std::uintmax_t LogBytes() const { return std::filesystem::file_size(file.string() + "-wal"); }
};

void Exec(sqlite3* db, const char* sql) { REQUIRE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK); }

// A writer connection that never checkpoints by itself: only the checkpointer copies the log back.
Connection OpenWriter(const std::filesystem::path& file) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  Connection connection(db, sqlite3_close);
  Exec(db, "PRAGMA journal_mode=WAL");
  Exec(db, "PRAGMA synchronous=NORMAL");
  Exec(db, "PRAGMA wal_autocheckpoint=0");
  Exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)");
  return connection;
}

// One transaction of about one page, as the store writes: with the writer's mutex held.
void WriteRow(sqlite3* db, std::mutex& writer) {
  std::lock_guard<std::mutex> lock(writer);
  Exec(db, "INSERT INTO t (data) VALUES (randomblob(3000))");
}

std::int64_t CountRows(sqlite3* db) {
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM t", -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  const std::int64_t n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

TEST_CASE("under steady writes the checkpointer restarts the log, pausing the writer, and keeps every row") {
  TempDb db;
  auto writer = OpenWriter(db.file);
  std::mutex writer_mu;
  std::atomic<int> pauses{0};
  constexpr int kRestartFrames = 64;
  auto checkpointer = WalCheckpointer::Start(db.file.string(), std::chrono::milliseconds(1), kRestartFrames,
                                             [&](const std::function<void()>& work) {
                                               std::lock_guard<std::mutex> lock(writer_mu);
                                               ++pauses;
                                               work();
                                             });
  REQUIRE(checkpointer != nullptr);
  // Write until the writer was paused a dozen times, at most kRowsPerPause rows between two pauses
  // (about 200 frames: each round that sees them pauses the writer), so that a checkpointer slowed
  // by a busy machine never lets one long stretch of log dominate. Give up after 60 s.
  constexpr int kRowsPerPause = 100;
  int rows = 0;
  int rows_since_pause = 0;
  int pauses_seen = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (pauses.load() < 12 && std::chrono::steady_clock::now() < give_up) {
    if (pauses.load() != pauses_seen) {
      pauses_seen = pauses.load();
      rows_since_pause = 0;
    }
    if (rows_since_pause >= kRowsPerPause) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    WriteRow(writer.get(), writer_mu);
    ++rows;
    ++rows_since_pause;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  REQUIRE(pauses.load() >= 12);
  INFO("rows ", rows, ", log ", db.LogBytes(), " bytes");
  // Never restarted, the log would hold two frames (4 KiB page + 24-byte header) per transaction at
  // least: the row's own leaf page and the table's root. Restarted, it is reused from its start.
  CHECK(db.LogBytes() < static_cast<std::uintmax_t>(rows) * 4120u);
  checkpointer.reset();
  CHECK(CountRows(writer.get()) == rows);
}

TEST_CASE("a log shorter than the restart size is copied back without pausing the writer") {
  TempDb db;
  auto writer = OpenWriter(db.file);
  std::mutex writer_mu;
  std::atomic<int> pauses{0};
  auto checkpointer = WalCheckpointer::Start(db.file.string(), std::chrono::milliseconds(1), 10000,
                                             [&](const std::function<void()>& work) {
                                               ++pauses;
                                               work();
                                             });
  REQUIRE(checkpointer != nullptr);
  const auto empty = std::filesystem::file_size(db.file);
  for (int i = 0; i < 20; ++i) WriteRow(writer.get(), writer_mu);
  // The copy lands in the database file within a few rounds; give up after 10 s.
  for (int round = 0; round < 1000 && std::filesystem::file_size(db.file) < empty + 20u * 3000u; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(std::filesystem::file_size(db.file) >= empty + 20u * 3000u);
  CHECK(pauses.load() == 0);
}

TEST_CASE("a database that cannot be opened gives no checkpointer") {
  TempDb db;
  CHECK(WalCheckpointer::Start((db.dir.path / "missing" / "t.db").string(), std::chrono::milliseconds(1), 1, nullptr) ==
        nullptr);
}

}  // namespace
