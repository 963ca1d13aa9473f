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
