#pragma once
/// @file
/// The SQLite job store: one file, WAL mode, schema migrated on open. The default backend for a
/// single process or several processes on one machine.

#include <faltrain/client/clock.hpp>
#include <faltrain/client/result.hpp>
#include <faltrain/jobs/job_store.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>

namespace faltrain {
inline namespace v1 {

/// How the SQLite store trades durability for speed and waits for locks.
struct SqliteJobStoreOptions {
  /// `synchronous=FULL` (durable across power loss) instead of NORMAL (durable across crashes).
  bool synchronous_full = true;
  /// How long a statement waits for another process's write lock before failing
  /// (`errc::storage_error`).
  std::chrono::milliseconds busy_timeout{std::chrono::seconds(5)};
  /// A size limit in pages (`PRAGMA max_page_count`, set after migrating); 0 = SQLite's default.
  /// Writes past it fail with `errc::storage_error` and store nothing.
  std::int64_t max_page_count = 0;
  /// Pages the write-ahead log may hold before the commit that outgrows it copies the log back into
  /// the database (`PRAGMA wal_autocheckpoint`); 0 turns automatic checkpoints off (the log then
  /// grows until one is run). With the background checkpointer below, that commit is only a
  /// fallback: the log restarts at half this size, after a pause of the writer of a few ms. Fewer,
  /// larger checkpoints write less in all and pause the writer less often: SQLite's default of 1000
  /// pages gave a busy receiver 5,300-6,800 webhooks/s here, 4096 gave 7,400-8,100; 16384 (64 MiB,
  /// the log itself staying under about 32 MiB) took its p99 from 16-17 ms to 13-14 ms.
  int checkpoint_pages = 16384;
  /// How often a background thread, on a connection of its own, copies the log back into the
  /// database (PASSIVE: without blocking the writer). Once the log holds half of `checkpoint_pages`,
  /// it also copies what was committed meanwhile, the last few pages with the store's writer paused
  /// for that copy, so that the log restarts from its start instead of growing: under continuous
  /// writes a copy never catches up by itself, and the commit reaching `checkpoint_pages` would then
  /// do the whole copy while a group of webhooks waits for it. Under the receiver's load, p99 went
  /// from 37-45 ms (no background thread) to 23-27 ms (copy only) to 17-18 ms (copy and restart) at
  /// `synchronous=NORMAL`. 0: no background thread. File databases only.
  std::chrono::milliseconds checkpoint_interval{150};
};

/// A SQLite store in `path` (created, WAL mode, schema migrated to the latest version). ":memory:"
/// gives a private in-memory database. Times come from `clock`.
result<std::shared_ptr<JobStore>> OpenSqliteJobStore(const std::filesystem::path& path,
                                                     SqliteJobStoreOptions options = {},
                                                     std::shared_ptr<Clock> clock = MakeSystemClock());

/// The schema version `OpenSqliteJobStore` migrates to.
int SqliteJobStoreSchemaVersion() noexcept;

}  // namespace v1
}  // namespace faltrain
