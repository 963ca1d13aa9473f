// SqliteJobStore: the shared JobStore contract (postgres/job_store_contract.hpp) on a file database,
// plus what only SQLite has: WAL, the schema version, an in-memory store shared by threads.

#include "support/job_store_contract.hpp"
#include "support/sqlite_contract_backend.hpp"
#include "support/error_text.hpp"

#include <faltrain/jobs/job_store.hpp>
#include <faltrain/sqlite/sqlite_job_store.hpp>

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <filesystem>
#include <thread>

using namespace faltrain;
using test_support::ErrorText;

namespace {

std::shared_ptr<JobStore> OpenMemory(std::shared_ptr<Clock> clock = std::make_shared<VirtualClock>()) {
  auto s = OpenSqliteJobStore(":memory:", {}, std::move(clock));
  REQUIRE_MESSAGE(s.has_value(), ErrorText(s));
  return s.value();
}

using job_store_contract::Avatar;
using job_store_contract::SqliteFileBackend;
using job_store_contract::TempDir;

}  // namespace

TYPE_TO_STRING(SqliteFileBackend);
TEST_CASE_TEMPLATE_INVOKE(job_store_contract, SqliteFileBackend);

TEST_CASE("status helpers encode the forward-only rule") {
  CHECK(IsAllowedTransition(JobStatus::kPending, JobStatus::kTraining));
  CHECK(IsAllowedTransition(JobStatus::kPending, JobStatus::kFailed));
  CHECK(IsAllowedTransition(JobStatus::kTraining, JobStatus::kCompleted));
  CHECK(IsAllowedTransition(JobStatus::kTraining, JobStatus::kCancelled));
  CHECK_FALSE(IsAllowedTransition(JobStatus::kTraining, JobStatus::kPending));
  CHECK_FALSE(IsAllowedTransition(JobStatus::kCompleted, JobStatus::kFailed));
  CHECK_FALSE(IsAllowedTransition(JobStatus::kCancelled, JobStatus::kTraining));
  for (auto s : {JobStatus::kPending, JobStatus::kTraining, JobStatus::kCompleted, JobStatus::kFailed,
                 JobStatus::kCancelled}) {
    CHECK(ParseJobStatus(to_string(s)).value() == s);
  }
  CHECK_FALSE(ParseJobStatus("DONE").has_value());
}

TEST_CASE("the database itself refuses backward status updates") {
  TempDir dir;
  const auto db_path = dir.path / "jobs.db";
  {
    auto store = OpenSqliteJobStore(db_path).value();
    const auto id = store->CreateJob(Avatar()).value().id;
    REQUIRE(store->Finish(id, {JobStatus::kCompleted, "{}", ""}).value());
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_path.string().c_str(), &db) == SQLITE_OK);
  char* message = nullptr;
  CHECK(sqlite3_exec(db, "UPDATE jobs SET status='TRAINING'", nullptr, nullptr, &message) != SQLITE_OK);
  REQUIRE(message != nullptr);
  CHECK(std::string(message) == "job status may only move forward");
  sqlite3_free(message);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == "wal");
  sqlite3_finalize(st);
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int(st, 0) == SqliteJobStoreSchemaVersion());
  sqlite3_finalize(st);
  // A newer schema than this build knows is refused, not clobbered.
  REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto reopened = OpenSqliteJobStore(db_path);
  REQUIRE_FALSE(reopened.has_value());
  CHECK(reopened.error().code == errc::storage_error);
  CHECK(reopened.error().message.find("newer") != std::string::npos);
}

TEST_CASE("concurrent writers through one in-memory store are serialised safely") {
  job_store_contract::CheckConcurrentWriters(*OpenMemory(MakeSystemClock()));
}

// The schema as release 2 left it (migrations 1 and 2, user_version 2), with a job in each state.
TEST_CASE("a version 2 database migrates to SUBMITTING, notification leases and inbox job ids, keeping its rows") {
  TempDir dir;
  const auto db_path = dir.path / "v2.db";
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_path.string().c_str(), &db) == SQLITE_OK);
  const char* v2 = R"sql(
CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, name TEXT NOT NULL,
  style TEXT NOT NULL, preset TEXT NOT NULL, trainer TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('PENDING','TRAINING','COMPLETED','FAILED','CANCELLED')),
  endpoint_id TEXT NOT NULL DEFAULT '', request_id TEXT UNIQUE, gateway_request_id TEXT NOT NULL DEFAULT '',
  status_url TEXT NOT NULL DEFAULT '', response_url TEXT NOT NULL DEFAULT '', cancel_url TEXT NOT NULL DEFAULT '',
  progress REAL NOT NULL DEFAULT 0, output_json TEXT NOT NULL DEFAULT '', error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, training_started_at INTEGER, finished_at INTEGER,
  last_checked_at INTEGER, notified_at INTEGER);
CREATE INDEX jobs_by_status ON jobs(status, updated_at);
CREATE TABLE webhook_inbox (request_id TEXT PRIMARY KEY, body TEXT NOT NULL, user_id TEXT NOT NULL DEFAULT '',
  signed_at INTEGER NOT NULL DEFAULT 0, received_at INTEGER NOT NULL, processed_at INTEGER,
  processing_note TEXT NOT NULL DEFAULT '', claimed_until INTEGER);
CREATE INDEX inbox_unprocessed ON webhook_inbox(processed_at, received_at);
CREATE TRIGGER jobs_forward_only BEFORE UPDATE OF status ON jobs
WHEN NEW.status <> OLD.status AND NOT ((OLD.status = 'PENDING') OR
  (OLD.status = 'TRAINING' AND NEW.status IN ('COMPLETED','FAILED','CANCELLED')))
BEGIN SELECT RAISE(ABORT, 'job status may only move forward'); END;
INSERT INTO jobs (user_id, name, style, preset, trainer, status, request_id, created_at, updated_at)
  VALUES ('u', 'old-training', 'portrait', 'fast', 't', 'TRAINING', 'old-req', 1, 2);
INSERT INTO jobs (user_id, name, style, preset, trainer, status, created_at, updated_at, notified_at)
  VALUES ('u', 'old-done', 'portrait', 'fast', 't', 'COMPLETED', 1, 2, 3);
INSERT INTO webhook_inbox (request_id, body, received_at) VALUES ('old-req', '{}', 5);
PRAGMA user_version = 2;
)sql";
  char* message = nullptr;
  REQUIRE_MESSAGE(sqlite3_exec(db, v2, nullptr, nullptr, &message) == SQLITE_OK, (message ? message : ""));
  sqlite3_close(db);

  auto store = OpenSqliteJobStore(db_path);
  REQUIRE_MESSAGE(store.has_value(), ErrorText(store));
  auto& s = *store.value();
  auto training = s.FindJobByRequestId("old-req");
  REQUIRE(training.has_value());
  CHECK(training.value().name == "old-training");
  CHECK(training.value().status == JobStatus::kTraining);
  CHECK(s.FindJob(2).value().notified_at.has_value());
  CHECK_FALSE(s.FindWebhook("old-req").value().job_id.has_value());
  CHECK(s.FindWebhook("old-req").value().gateway_request_id.empty());  // migration 4's default
  // New ids continue after the old ones; the new states and the forward-only rule work.
  auto fresh = s.CreateJob(Avatar("new"));
  REQUIRE(fresh.has_value());
  CHECK(fresh.value().id == 3);
  CHECK(s.MarkSubmitting(fresh.value().id).has_value());
  CHECK(s.Finish(fresh.value().id, {JobStatus::kFailed, "", "x"}).value());
  REQUIRE(sqlite3_open(db_path.string().c_str(), &db) == SQLITE_OK);
  CHECK(sqlite3_exec(db, "UPDATE jobs SET status='SUBMITTING' WHERE id = 1", nullptr, nullptr, nullptr) != SQLITE_OK);
  sqlite3_close(db);
}

TEST_CASE("group commit: when the database fills up, every caller's answer matches what is stored") {
  TempDir dir;
  const auto db_path = dir.path / "full.db";
  std::int64_t pages = 0;
  {
    auto empty = OpenSqliteJobStore(db_path).value();
    REQUIRE(empty->RecordWebhook({"dup-0", std::string(1500, 'd'), "u", 0, {}, false, ""}).value());
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(db_path.string().c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &st, nullptr);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    pages = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  SqliteJobStoreOptions options;
  options.max_page_count = pages + 12;  // room for a few dozen of the events below, not all
  auto store = OpenSqliteJobStore(db_path, options).value();

  struct Call {
    std::string id, body;
    result<bool> answer = false;
  };
  constexpr int kThreads = 8, kPerThread = 25;
  std::vector<std::vector<Call>> calls(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Every fifth is a duplicate of an event stored before (dup-0) or by another thread.
        std::string id = i % 5 == 0 ? "dup-" + std::to_string(i / 5 % 2 == 0 ? 0 : i)
                                    : "ev-" + std::to_string(t) + "-" + std::to_string(i);
        std::string body = id + ":" + std::string(700 + 97 * (i % 7), 'x');
        Call call{id, body};
        call.answer = store->RecordWebhook({id, body, "u", 0, {}, false, ""});
        calls[t].push_back(std::move(call));
      }
    });
  }
  for (auto& th : threads) th.join();

  auto reader = OpenSqliteJobStore(db_path).value();  // no size limit: reads what is there
  int stored = 0, refused = 0, wrong = 0;
  for (const auto& per_thread : calls) {
    for (const auto& call : per_thread) {
      auto found = reader->FindWebhook(call.id);
      if (!call.answer) {
        ++refused;
        // An error means "not stored": fal retries it. Only another caller's copy may be there.
        if (found && found.value().body == call.body && call.id.rfind("dup-", 0) != 0) ++wrong;
      } else if (call.answer.value()) {
        ++stored;
        if (!found || found.value().body != call.body) ++wrong;  // "recorded" must be recorded
      } else if (!found) {
        ++wrong;  // "duplicate" must be in the table
      }
    }
  }
  INFO("stored ", stored, ", refused ", refused);
  CHECK(wrong == 0);
  CHECK(stored > 0);
  CHECK(refused > 0);
}

namespace {

// The write-ahead log's size after recording `events` webhooks of 2 KB each, one per transaction.
std::uintmax_t LogSizeAfterWrites(const std::filesystem::path& db_path, int checkpoint_pages, int events) {
  SqliteJobStoreOptions options;
  options.synchronous_full = false;
  options.checkpoint_pages = checkpoint_pages;
  options.checkpoint_interval = std::chrono::milliseconds(0);  // the writer's own checkpoints only
  auto store = OpenSqliteJobStore(db_path, options).value();
  for (int i = 0; i < events; ++i) {
    REQUIRE(store->RecordWebhook({"ev-" + std::to_string(i), std::string(2000, 'b'), "u", 0, {}, false, ""}).value());
  }
  return std::filesystem::file_size(db_path.string() + "-wal");  // read while the store holds it open
}

}  // namespace

TEST_CASE("checkpoint_pages bounds the write-ahead log, and 0 lets it grow") {
  TempDir dir;
  constexpr int kEvents = 400;  // about 400 pages of table alone
  const auto bounded = LogSizeAfterWrites(dir.path / "bounded.db", 32, kEvents);
  const auto unbounded = LogSizeAfterWrites(dir.path / "unbounded.db", 0, kEvents);
  CHECK(unbounded > 400u * 4096u);   // every transaction's pages, never copied back
  CHECK(bounded < 64u * 4128u);      // reset after each checkpoint of ~32 pages (4 KiB + frame header)
}

TEST_CASE("the background checkpointer copies the log into the database without the writer's help") {
  TempDir dir;
  auto main_file_after_writes = [&](const char* name, std::chrono::milliseconds interval) {
    const auto db_path = dir.path / name;
    SqliteJobStoreOptions options;
    options.synchronous_full = false;
    options.checkpoint_pages = 0;  // the writer never checkpoints
    options.checkpoint_interval = interval;
    auto store = OpenSqliteJobStore(db_path, options).value();
    const auto empty = std::filesystem::file_size(db_path);
    for (int i = 0; i < 200; ++i) {
      REQUIRE(store->RecordWebhook({"ev-" + std::to_string(i), std::string(2000, 'b'), "u", 0, {}, false, ""}).value());
    }
    // Wait for the copy (a few rounds of `interval`), giving up after 10 s; nothing else writes.
    auto size = std::filesystem::file_size(db_path);
    for (int round = 0; round < 1000 && interval.count() > 0 && size < empty + 200u * 2000u; ++round) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      size = std::filesystem::file_size(db_path);
    }
    return std::make_pair(empty, size);
  };
  const auto [empty_without, without] = main_file_after_writes("without.db", std::chrono::milliseconds(0));
  CHECK(without == empty_without);  // every page still only in the log
  const auto [empty_with, with] = main_file_after_writes("with.db", std::chrono::milliseconds(5));
  CHECK(with >= empty_with + 200u * 2000u);  // the rows are in the database file itself
}
