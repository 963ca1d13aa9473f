// The JobStore contract (job_store_contract.hpp) against SQLite and PostgreSQL, plus what only a
// shared database can show: two store instances (two processes' worth of pools) on one PostgreSQL.
//
// PostgreSQL comes from the ctest fixture (pg_fixture.sh), whose URL file is named by
// FALTRAIN_TEST_PG_URL_FILE. Without it the PostgreSQL cases exit 77, which ctest reports as skipped.

#include "support/job_store_contract.hpp"
#include "support/sqlite_contract_backend.hpp"
#include "support/error_text.hpp"

#include <faltrain/postgres/postgres_job_store.hpp>

#include <doctest/doctest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

using namespace faltrain;
using test_support::ErrorText;

namespace {

std::string PgUrl() {
  const char* file = std::getenv("FALTRAIN_TEST_PG_URL_FILE");
  std::string url;
  if (file) std::ifstream(file) >> url;
  if (url.empty()) {
    std::cerr << "SKIP: no PostgreSQL test server (FALTRAIN_TEST_PG_URL_FILE unset or empty); the "
                 "postgres/server fixture starts one when PostgreSQL is installed\n";
    std::exit(77);
  }
  return url;
}

std::string PgExec(const std::string& sql) {
  PGconn* c = PQconnectdb(PgUrl().c_str());
  std::string error;
  if (PQstatus(c) != CONNECTION_OK) {
    error = PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, sql.c_str());
    auto st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) error = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(c);
  return error;
}

template <bool kPrepare>
struct PostgresBackendT {
  static constexpr const char* kName = kPrepare ? "postgres" : "postgres (unprepared)";
  static std::shared_ptr<JobStore> Reopen(std::shared_ptr<Clock> clock) {
    PostgresJobStoreOptions options;
    options.prepare_statements = kPrepare;
    auto s = OpenPostgresJobStore(PgUrl(), options, std::move(clock));
    REQUIRE_MESSAGE(s.has_value(), ErrorText(s));
    return s.value();
  }
  static std::shared_ptr<JobStore> Open(std::shared_ptr<Clock> clock) {
    auto s = Reopen(std::move(clock));  // migrates on first use
    const std::string cleared = PgExec("TRUNCATE jobs, webhook_inbox RESTART IDENTITY");
    REQUIRE_MESSAGE(cleared.empty(), cleared);
    return s;
  }
  static std::string ExecRaw(const std::string& sql) { return PgExec(sql); }
};
using PostgresBackend = PostgresBackendT<true>;
using PostgresUnpreparedBackend = PostgresBackendT<false>;  // behind a pooler without prepared statements

using job_store_contract::SqliteFileBackend;

}  // namespace

TYPE_TO_STRING(SqliteFileBackend);
TYPE_TO_STRING(PostgresBackend);
TYPE_TO_STRING(PostgresUnpreparedBackend);
TEST_CASE_TEMPLATE_INVOKE(job_store_contract, SqliteFileBackend, PostgresBackend, PostgresUnpreparedBackend);

TEST_CASE("postgres: two instances never claim the same event, and complete each once") {
  auto clock = std::make_shared<VirtualClock>();
  auto a = PostgresBackend::Open(clock);
  auto b = PostgresBackend::Reopen(clock);
  const int n = 200;
  for (int i = 0; i < n; ++i) {
    const auto id = a->CreateJob(job_store_contract::Avatar("j" + std::to_string(i))).value().id;
    REQUIRE(a->MarkTraining(id, job_store_contract::Handle("ev-" + std::to_string(i))).has_value());
    REQUIRE(b->RecordWebhook({"ev-" + std::to_string(i), "{}", "u", 0, {}, false, ""}).value());
  }
  std::mutex mu;
  std::multiset<std::string> claimed;
  std::atomic<int> changed{0}, errors{0};
  auto worker = [&](std::shared_ptr<JobStore> store) {
    for (;;) {
      auto events = store->ClaimWebhooks(7, std::chrono::seconds(60));
      if (!events) { ++errors; return; }
      if (events.value().empty()) return;
      for (const auto& e : events.value()) {
        { std::lock_guard<std::mutex> lock(mu); claimed.insert(e.request_id); }
        auto job = store->FindJobByRequestId(e.request_id).value();
        auto r = store->CompleteWebhook(e.request_id, "applied", job.id, JobOutcome{JobStatus::kCompleted, "{}", ""});
        if (!r) ++errors;
        if (r && r.value()) ++changed;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back(worker, a);
    threads.emplace_back(worker, b);
  }
  for (auto& t : threads) t.join();
  CHECK(errors.load() == 0);
  CHECK(claimed.size() == static_cast<std::size_t>(n));
  CHECK(std::set<std::string>(claimed.begin(), claimed.end()).size() == static_cast<std::size_t>(n));
  CHECK(changed.load() == n);
  CHECK(a->CountWebhooks(true).value() == 0);
  CHECK(a->ListJobs(JobStatus::kCompleted).value().size() == static_cast<std::size_t>(n));
}

TEST_CASE("postgres: a lapsed lease lets a second instance process, but the event completes once") {
  auto clock = std::make_shared<VirtualClock>();
  auto a = PostgresBackend::Open(clock);
  auto b = PostgresBackend::Reopen(clock);
  const auto id = a->CreateJob(job_store_contract::Avatar()).value().id;
  REQUIRE(a->MarkTraining(id, job_store_contract::Handle("slow")).has_value());
  REQUIRE(a->RecordWebhook({"slow", "{}", "u", 0, {}, false, ""}).value());
  REQUIRE(a->ClaimWebhooks(10, std::chrono::seconds(30)).value().size() == 1);
  CHECK(b->ClaimWebhooks(10, std::chrono::seconds(30)).value().empty());
  // b restarting must not take the claim of a, which is alive.
  REQUIRE(b->ReleaseWebhookClaims().has_value());
  CHECK(b->ClaimWebhooks(10, std::chrono::seconds(30)).value().empty());
  clock->Advance(std::chrono::seconds(31));  // a is slow: its lease lapses
  REQUIRE(b->ClaimWebhooks(10, std::chrono::seconds(30)).value().size() == 1);
  CHECK(b->CompleteWebhook("slow", "applied by b", id, JobOutcome{JobStatus::kCompleted, "{}", ""}).value());
  CHECK_FALSE(a->CompleteWebhook("slow", "applied by a", id, JobOutcome{JobStatus::kFailed, "", "late"}).value());
  CHECK(a->FindWebhook("slow").value().processing_note == "applied by b");
  CHECK(a->FindJob(id).value().status == JobStatus::kCompleted);
  CHECK(a->ClaimNotification(id, std::chrono::seconds(60)).value());
  CHECK_FALSE(b->ClaimNotification(id, std::chrono::seconds(60)).value());
}

TEST_CASE("postgres: reconcilers in two instances split the stale jobs") {
  auto clock = std::make_shared<VirtualClock>();
  auto a = PostgresBackend::Open(clock);
  auto b = PostgresBackend::Reopen(clock);
  for (int i = 0; i < 6; ++i) {
    const auto id = a->CreateJob(job_store_contract::Avatar()).value().id;
    REQUIRE(a->MarkTraining(id, job_store_contract::Handle("stale-" + std::to_string(i))).has_value());
  }
  clock->Advance(std::chrono::minutes(31));
  const auto cutoff = clock->WallNow() - std::chrono::minutes(30);
  auto first = a->ListStaleTraining(cutoff, 4).value();
  auto second = b->ListStaleTraining(cutoff, 100).value();
  CHECK(first.size() == 4);
  CHECK(second.size() == 2);
  std::set<std::int64_t> ids;
  for (const auto& j : first) ids.insert(j.id);
  for (const auto& j : second) ids.insert(j.id);
  CHECK(ids.size() == 6);
}

TEST_CASE("postgres: a database that is down is a storage error without the password") {
  auto s = OpenPostgresJobStore("postgresql://faltrain:s3cret-pw@127.0.0.1:1/faltrain?connect_timeout=2");
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().code == errc::storage_error);
  CHECK(s.error().message.find("s3cret-pw") == std::string::npos);
  CHECK(s.error().message.find("127.0.0.1:1") != std::string::npos);
  CHECK(RedactDatabaseUrl("postgresql://u:s3cret@h:5/db?password=x&sslmode=disable") ==
        "postgresql://u:***@h:5/db?password=***&sslmode=disable");
  CHECK(IsPostgresUrl("postgres://h/db"));
  CHECK_FALSE(IsPostgresUrl("sqlite:/tmp/x.db"));
}

TEST_CASE("postgres: a stopped database is a storage error and the pool reconnects once it is back") {
  const char* script = FALTRAIN_PG_FIXTURE_SCRIPT;
  PgUrl();  // skips without a server
  const std::string dir = std::filesystem::path(std::getenv("FALTRAIN_TEST_PG_URL_FILE")).parent_path().string();
  auto fixture = [&](const char* command) {
    return std::system(("sh '" + std::string(script) + "' " + command + " '" + dir + "'").c_str());
  };
  auto store = PostgresBackend::Open(MakeSystemClock());
  REQUIRE(store->RecordWebhook({"before", "{}", "u", 0, {}, false, ""}).value());
  REQUIRE(fixture("pause") == 0);
  auto down = store->RecordWebhook({"while-down", "{}", "u", 0, {}, false, ""});
  const bool resumed = fixture("resume") == 0;
  REQUIRE_FALSE(down.has_value());
  CHECK(down.error().code == errc::storage_error);
  CHECK(down.error().message.rfind("postgres: ", 0) == 0);
  REQUIRE(resumed);
  // Every pooled connection died with the server; each is replaced on its next use.
  for (int i = 0; i < 20; ++i) {
    auto r = store->RecordWebhook({"after-" + std::to_string(i), "{}", "u", 0, {}, false, ""});
    REQUIRE_MESSAGE(r.has_value(), ErrorText(r));
    CHECK(r.value());
  }
  CHECK(store->CountWebhooks(false).value() == 21);
  CHECK(store->FindWebhook("while-down").error().code == errc::not_found);
}

TEST_CASE("OpenJobStore picks the backend from the URL") {
  auto pg = OpenJobStore(PgUrl());
  REQUIRE_MESSAGE(pg.has_value(), ErrorText(pg));
  auto memory = OpenJobStore("sqlite::memory:");
  REQUIRE_MESSAGE(memory.has_value(), ErrorText(memory));
  CHECK(memory.value()->CountWebhooks(false).value() == 0);
  CHECK(OpenJobStore("sqlite:").error().code == errc::invalid_argument);
  const char* saved = std::getenv("FALTRAIN_DATABASE_URL");
  std::string keep = saved ? saved : "";
  ::unsetenv("FALTRAIN_DATABASE_URL");
  CHECK(OpenJobStore("").error().code == errc::invalid_argument);
  ::setenv("FALTRAIN_DATABASE_URL", "sqlite::memory:", 1);
  CHECK(OpenJobStore("").has_value());
  if (saved) ::setenv("FALTRAIN_DATABASE_URL", keep.c_str(), 1); else ::unsetenv("FALTRAIN_DATABASE_URL");
}

TEST_CASE("postgres: a server session with synchronous_commit off is refused unless allowed") {
  std::string url = PgUrl();
  url += url.find('?') == std::string::npos ? "?" : "&";
  url += "options=-csynchronous_commit%3Doff";
  auto refused = OpenPostgresJobStore(url);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == errc::storage_error);
  CHECK(refused.error().message.find("synchronous_commit is off") != std::string::npos);
  PostgresJobStoreOptions options;
  options.allow_synchronous_commit_off = true;
  auto allowed = OpenPostgresJobStore(url, options);
  REQUIRE_MESSAGE(allowed.has_value(), ErrorText(allowed));
  CHECK(OpenPostgresJobStore(PgUrl()).has_value());  // the server's default (on) is fine
}
