// PostgresJobStore: the JobStore shared by several receivers and bots (see postgres_job_store.hpp).
//
// Multi-instance safety, and why it is built this way:
// - Inbox claims are leases (`claimed_until`, `claimed_by`) taken by one UPDATE whose row choice is a
//   `SELECT ... FOR UPDATE SKIP LOCKED` subquery. Without SKIP LOCKED two claimers would pick the same
//   rows from their snapshots and the second would claim them again after waiting; with it each row
//   goes to exactly one claimer and nobody blocks. Leases (rather than holding row locks or advisory
//   locks while processing) keep no transaction open during slow work such as fetching a result from
//   fal, and a crashed instance's claims simply lapse. Session-scoped advisory locks would vanish on
//   every reconnect and would tie processing to one connection of the pool.
// - A lease can lapse while its holder is merely slow, so completion does not trust the lease: the
//   completing transaction locks the inbox row and completes it only if it is still unprocessed, and
//   the job update in the same transaction is a conditional UPDATE (forward-only, first final status
//   wins). Notifications are claimed by `UPDATE ... WHERE notified_at IS NULL`. So two instances that
//   both process one event change the job once and notify once.
// - Each instance names its connections `application_name = faltrain-<random>`. At startup
//   `ReleaseWebhookClaims` frees only claims of this instance and of instances with no open session
//   (crashed), never those of a live neighbour.
// - Reconcilers in every instance: `ListStaleTraining` stamps `last_checked_at` on the rows it returns
//   (again with SKIP LOCKED), so each stale job is polled by one instance per stale period.

#include "faltrain/postgres/postgres_job_store.hpp"
#include "faltrain/sqlite/sqlite_job_store.hpp"

#include "jobs/detail/group_commit.hpp"
#include "jobs/detail/job_rows.hpp"
#include "postgres/detail/pg_connection.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <random>
#include <unordered_map>
#include <utility>

namespace faltrain {
inline namespace v1 {
namespace {

using detail::PgConnection;
using detail::PgDouble;
using detail::PgInt;
using detail::PgParam;
using detail::PgResult;
using detail::PgText;

// Each entry migrates the schema from version i to i + 1 (recorded in schema_migrations). Never edit a
// shipped entry; append. Mirrors the SQLite schema: times are Unix milliseconds from the store's clock.
constexpr const char* kMigrations[] = {
    // 1: jobs and the webhook inbox.
    R"sql(
CREATE TABLE jobs (
  id BIGSERIAL PRIMARY KEY,
  user_id TEXT NOT NULL,
  name TEXT NOT NULL,
  style TEXT NOT NULL,
  preset TEXT NOT NULL,
  trainer TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('PENDING','TRAINING','COMPLETED','FAILED','CANCELLED')),
  endpoint_id TEXT NOT NULL DEFAULT '',
  request_id TEXT UNIQUE,
  gateway_request_id TEXT NOT NULL DEFAULT '',
  status_url TEXT NOT NULL DEFAULT '',
  response_url TEXT NOT NULL DEFAULT '',
  cancel_url TEXT NOT NULL DEFAULT '',
  progress DOUBLE PRECISION NOT NULL DEFAULT 0,
  output_json TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  training_started_at BIGINT,
  finished_at BIGINT,
  last_checked_at BIGINT,
  notified_at BIGINT
);
CREATE INDEX jobs_by_status ON jobs(status, updated_at);
CREATE TABLE webhook_inbox (
  request_id TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  user_id TEXT NOT NULL DEFAULT '',
  signed_at BIGINT NOT NULL DEFAULT 0,
  received_at BIGINT NOT NULL,
  processed_at BIGINT,
  processing_note TEXT NOT NULL DEFAULT '',
  claimed_until BIGINT,
  claimed_by TEXT
);
CREATE INDEX inbox_unprocessed ON webhook_inbox(received_at, request_id) WHERE processed_at IS NULL;
)sql",
    // 2: the forward-only rule, enforced by the database too.
    R"sql(
CREATE FUNCTION faltrain_jobs_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status <> OLD.status AND NOT (
      OLD.status = 'PENDING' OR
      (OLD.status = 'TRAINING' AND NEW.status IN ('COMPLETED','FAILED','CANCELLED'))) THEN
    RAISE EXCEPTION 'job status may only move forward' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER jobs_forward_only BEFORE UPDATE OF status ON jobs
  FOR EACH ROW EXECUTE FUNCTION faltrain_jobs_forward_only();
)sql",
    // 3: SUBMITTING (recorded before the submit POST), notification leases (the outbox), and the
    // job a verified webhook token names.
    R"sql(
ALTER TABLE jobs DROP CONSTRAINT jobs_status_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check
  CHECK (status IN ('PENDING','SUBMITTING','TRAINING','COMPLETED','FAILED','CANCELLED'));
ALTER TABLE jobs ADD COLUMN notify_claimed_until BIGINT;
ALTER TABLE jobs ADD COLUMN notify_claimed_by TEXT;
ALTER TABLE webhook_inbox ADD COLUMN job_id BIGINT;
CREATE OR REPLACE FUNCTION faltrain_jobs_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status <> OLD.status AND NOT (
      OLD.status = 'PENDING' OR
      (OLD.status = 'SUBMITTING' AND NEW.status IN ('TRAINING','COMPLETED','FAILED','CANCELLED')) OR
      (OLD.status = 'TRAINING' AND NEW.status IN ('COMPLETED','FAILED','CANCELLED'))) THEN
    RAISE EXCEPTION 'job status may only move forward' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
)sql",
    // 4: the body's gateway_request_id next to its request_id (fal may sign either one).
    R"sql(
ALTER TABLE webhook_inbox ADD COLUMN gateway_request_id TEXT NOT NULL DEFAULT '';
)sql",
};
constexpr int kSchemaVersion = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));
// pg_advisory_xact_lock key serialising migrations of concurrently starting instances.
constexpr std::int64_t kMigrationLock = 0x66616c747261696eLL;  // "faltrain"

#define FALTRAIN_PG_JOB_COLUMNS                                                                     \
  "id, user_id, name, style, preset, trainer, status, endpoint_id, COALESCE(request_id, ''), "     \
  "gateway_request_id, status_url, response_url, cancel_url, progress, output_json, error, "       \
  "created_at, updated_at, training_started_at, finished_at, last_checked_at, notified_at, "       \
  "notify_claimed_until"
#define FALTRAIN_PG_JOB_COLUMNS_J                                                                   \
  "j.id, j.user_id, j.name, j.style, j.preset, j.trainer, j.status, j.endpoint_id, "                \
  "COALESCE(j.request_id, ''), j.gateway_request_id, j.status_url, j.response_url, j.cancel_url, "  \
  "j.progress, j.output_json, j.error, j.created_at, j.updated_at, j.training_started_at, "         \
  "j.finished_at, j.last_checked_at, j.notified_at, j.notify_claimed_until"
#define FALTRAIN_PG_INBOX_COLUMNS \
  "request_id, body, user_id, signed_at, received_at, processed_at, processing_note, job_id, gateway_request_id"

constexpr const char* kUniqueViolation = "23505";

using detail::ToUnixMillis;

// One row of a PgResult, as detail::ReadJobRow and ReadInboxRow read it.
struct PgRow {
  const PgResult& r;
  int row;
  std::string Text(int col) const { return r.text(row, col); }
  std::int64_t Int(int col) const { return r.integer(row, col); }
  double Double(int col) const { return r.real(row, col); }
  bool Null(int col) const { return r.null(row, col); }
};

Job ReadJob(const PgResult& r, int row) { return detail::ReadJobRow(PgRow{r, row}); }

std::vector<Job> ReadJobs(const PgResult& r) {
  std::vector<Job> jobs;
  jobs.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) jobs.push_back(ReadJob(r, i));
  return jobs;
}

InboxEvent ReadInbox(const PgResult& r, int row) { return detail::ReadInboxRow(PgRow{r, row}); }

std::string InstanceName() {
  std::random_device rd;
  std::uniform_int_distribution<std::uint64_t> dist;
  return fmt::format("faltrain-{:016x}", dist(rd));
}

// One attempt of a store operation on one connection; `commit_sent` tells a retry whether a failed
// transaction might have committed after all.
struct Attempt {
  PgConnection& c;
  bool commit_sent = false;
};

class PostgresJobStore final : public JobStore {
 public:
  PostgresJobStore(const std::string& url, const PostgresJobStoreOptions& options, std::shared_ptr<Clock> clock)
      : instance_(InstanceName()), pool_(url, instance_, options.pool_size, options.prepare_statements), clock_(std::move(clock)),
        allow_async_commit_(options.allow_synchronous_commit_off) {}

  ~PostgresJobStore() override { group_commit_.reset(); }  // answers what is queued, pool still open

  result<void> Init() {
    FALTRAIN_TRYV(CheckDurability());
    FALTRAIN_TRYV(Migrate());
    group_commit_ = std::make_unique<detail::GroupCommit>(
        [this](std::vector<detail::PendingRecord>& batch) { CommitBatch(batch); }, kMaxBatch);
    return success();
  }

  result<void> Migrate() {
    return Run(true, [&](Attempt& a) -> result<void> {
      return InTx(a, [&]() -> result<void> {
        FALTRAIN_TRYV(a.c.Exec("SELECT pg_advisory_xact_lock($1)", {PgInt(kMigrationLock)}));
        FALTRAIN_TRYV(a.c.ExecScript(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
            "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"));
        FALTRAIN_TRY(auto current, a.c.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
        const int version = static_cast<int>(current.integer(0, 0));
        if (version > kSchemaVersion) {
          return fail(errc::storage_error,
                      fmt::format("database schema version {} is newer than this faltrain ({})", version,
                                  kSchemaVersion));
        }
        for (int v = version; v < kSchemaVersion; ++v) {
          auto applied = a.c.ExecScript(kMigrations[v]);
          if (!applied) {
            return fail(errc::storage_error,
                        fmt::format("schema migration {}: {}", v + 1, applied.error().message));
          }
          FALTRAIN_TRYV(a.c.Exec("INSERT INTO schema_migrations (version) VALUES ($1)", {PgInt(v + 1)}));
        }
        return success();
      });
    });
  }

  // -- jobs ----------------------------------------------------------------------------------
  result<Job> CreateJob(const NewJob& job) override {
    const auto now = PgInt(Now());
    return Run(false, [&](Attempt& a) -> result<Job> {
      FALTRAIN_TRY(auto r, a.c.Exec("INSERT INTO jobs (user_id, name, style, preset, trainer, status, "
                                    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'PENDING', $6, $6) "
                                    "RETURNING " FALTRAIN_PG_JOB_COLUMNS,
                                    {PgText(job.user_id), PgText(job.name), PgText(job.style),
                                     PgText(job.preset), PgText(job.trainer), now}));
      return ReadJob(r, 0);
    });
  }

  result<Job> FindJob(std::int64_t id) override {
    return Run(true, [&](Attempt& a) { return FindJobOn(a.c, id); });
  }

  result<Job> FindJobByRequestId(std::string_view request_id) override {
    return Run(true, [&](Attempt& a) -> result<Job> {
      FALTRAIN_TRY(auto r, a.c.Exec("SELECT " FALTRAIN_PG_JOB_COLUMNS " FROM jobs WHERE request_id = $1",
                                    {PgText(request_id)}));
      if (r.rows() == 0) return fail(errc::not_found, fmt::format("no job with request id \"{}\"", request_id));
      return ReadJob(r, 0);
    });
  }

  result<std::vector<Job>> ListJobs(JobStatus status, std::size_t limit) override {
    return Run(true, [&](Attempt& a) -> result<std::vector<Job>> {
      FALTRAIN_TRY(auto r, a.c.Exec("SELECT " FALTRAIN_PG_JOB_COLUMNS
                                    " FROM jobs WHERE status = $1 ORDER BY id LIMIT $2",
                                    {PgText(to_string(status)), PgInt(static_cast<std::int64_t>(limit))}));
      return ReadJobs(r);
    });
  }

  // Stamps last_checked_at on what it returns, so reconcilers in other instances skip these jobs for
  // one stale period (the caller's MarkChecked or Finish follows).
  result<std::vector<Job>> ListStale(JobStatus status, WallTime cutoff, std::size_t limit) override {
    if (IsFinal(status)) return fail(errc::invalid_argument, "ListStale: a final status is never stale");
    const auto now = PgInt(Now());
    return Run(true, [&](Attempt& a) -> result<std::vector<Job>> {
      FALTRAIN_TRY(auto r, a.c.Exec(
          "UPDATE jobs AS j SET last_checked_at = $3 FROM ("
          "  SELECT id FROM jobs WHERE status = $4 AND updated_at < $1"
          "  AND (last_checked_at IS NULL OR last_checked_at < $1)"
          "  ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED) AS pick "
          "WHERE j.id = pick.id RETURNING " FALTRAIN_PG_JOB_COLUMNS_J,
          {PgInt(ToUnixMillis(cutoff)), PgInt(static_cast<std::int64_t>(limit)), now,
           PgText(to_string(status))}));
      auto jobs = ReadJobs(r);
      std::sort(jobs.begin(), jobs.end(),
                [](const Job& x, const Job& y) { return x.updated_at < y.updated_at; });
      return jobs;
    });
  }

  result<std::vector<Job>> ListUnnotified(std::size_t limit) override {
    const auto now = PgInt(Now());
    return Run(true, [&](Attempt& a) -> result<std::vector<Job>> {
      FALTRAIN_TRY(auto r, a.c.Exec("SELECT " FALTRAIN_PG_JOB_COLUMNS " FROM jobs WHERE status IN "
                                    "('COMPLETED','FAILED','CANCELLED') AND notified_at IS NULL "
                                    "AND (notify_claimed_until IS NULL OR notify_claimed_until <= $2) "
                                    "ORDER BY finished_at LIMIT $1",
                                    {PgInt(static_cast<std::int64_t>(limit)), now}));
      return ReadJobs(r);
    });
  }

  result<Job> MarkSubmitting(std::int64_t id) override {
    const auto now = PgInt(Now());
    // Not retried: a repeat of a committed update would answer "not PENDING" (safe, but wrong).
    return Run(false, [&](Attempt& a) -> result<Job> {
      FALTRAIN_TRY(auto r, a.c.Exec("UPDATE jobs SET status = 'SUBMITTING', updated_at = $1 "
                                    "WHERE id = $2 AND status = 'PENDING' RETURNING " FALTRAIN_PG_JOB_COLUMNS,
                                    {now, PgInt(id)}));
      if (r.rows() == 1) return ReadJob(r, 0);
      FALTRAIN_TRY(auto job, FindJobOn(a.c, id));
      return fail(errc::invalid_argument, fmt::format("job {} is {}, not PENDING", id, to_string(job.status)));
    });
  }

  // Retry-safe: a repeat of a committed update finds the job holding this request id already.
  result<Job> MarkTraining(std::int64_t id, const RequestHandle& handle) override {
    if (handle.request_id.empty()) return fail(errc::invalid_argument, "MarkTraining: empty request id");
    const auto now = PgInt(Now());
    return Run(true, [&](Attempt& a) -> result<Job> {
      std::string state;
      auto r = a.c.Exec("UPDATE jobs SET status = 'TRAINING', endpoint_id = $1, request_id = $2, "
                        "gateway_request_id = $3, status_url = $4, response_url = $5, cancel_url = $6, "
                        "training_started_at = $7, updated_at = $7 WHERE id = $8 "
                        "AND status IN ('PENDING','SUBMITTING') RETURNING " FALTRAIN_PG_JOB_COLUMNS,
                        {PgText(handle.endpoint_id), PgText(handle.request_id),
                         PgText(handle.gateway_request_id), PgText(handle.status_url),
                         PgText(handle.response_url), PgText(handle.cancel_url), now, PgInt(id)},
                        &state);
      if (!r) {
        if (state == kUniqueViolation) {
          return fail(errc::invalid_argument,
                      fmt::format("request id \"{}\" already belongs to another job", handle.request_id));
        }
        return fail(std::move(r).error());
      }
      if (r.value().rows() == 1) return ReadJob(r.value(), 0);
      FALTRAIN_TRY(auto job, FindJobOn(a.c, id));
      if (job.handle.request_id != handle.request_id) {
        return fail(errc::invalid_argument, fmt::format("job {} is {}, not PENDING", id, to_string(job.status)));
      }
      // Already this request's job (its webhook came first): keep what it has, fill what it lacks.
      FALTRAIN_TRYV(a.c.Exec("UPDATE jobs SET status_url = $1, response_url = $2, cancel_url = $3, "
                             "gateway_request_id = CASE WHEN gateway_request_id = '' THEN $4 "
                             "ELSE gateway_request_id END WHERE id = $5 AND status_url = ''",
                             {PgText(handle.status_url), PgText(handle.response_url),
                              PgText(handle.cancel_url), PgText(handle.gateway_request_id), PgInt(id)}));
      return FindJobOn(a.c, id);
    });
  }

  result<void> UpdateProgress(std::int64_t id, double progress) override {
    if (!(progress >= 0)) progress = 0;  // also NaN
    if (progress > 1) progress = 1;
    const auto now = PgInt(Now());
    return Run(true, [&](Attempt& a) -> result<void> {
      FALTRAIN_TRY(auto r, a.c.Exec("UPDATE jobs SET progress = $1, updated_at = $2 WHERE id = $3 "
                                    "AND status = 'TRAINING'",
                                    {PgDouble(progress), now, PgInt(id)}));
      if (r.affected() == 0) FALTRAIN_TRYV(FindJobOn(a.c, id));  // not_found when missing
      return success();
    });
  }

  result<bool> Finish(std::int64_t id, const JobOutcome& outcome) override {
    // Not retried after a broken connection: a repeat of a committed Finish would say "already final"
    // and the caller would skip the notification (ListUnnotified still finds it).
    return Run(false, [&](Attempt& a) { return FinishOn(a.c, id, outcome); });
  }

  result<void> MarkChecked(std::int64_t id) override {
    const auto now = PgInt(Now());
    return Run(true, [&](Attempt& a) -> result<void> {
      FALTRAIN_TRYV(a.c.Exec("UPDATE jobs SET last_checked_at = $1 WHERE id = $2", {now, PgInt(id)}));
      return success();
    });
  }

  // Not retried after a broken connection: a repeat of a committed claim would answer "leased" and
  // the notification would wait one lease for nothing.
  result<bool> ClaimNotification(std::int64_t id, std::chrono::seconds lease) override {
    const std::int64_t now = Now();
    const std::int64_t until = now + std::chrono::duration_cast<std::chrono::milliseconds>(lease).count();
    return Run(false, [&](Attempt& a) -> result<bool> {
      FALTRAIN_TRY(auto r, a.c.Exec("UPDATE jobs SET notify_claimed_until = $1, notify_claimed_by = $4 "
                                    "WHERE id = $2 AND notified_at IS NULL AND (notify_claimed_until IS NULL OR "
                                    "notify_claimed_until <= $3) AND status IN ('COMPLETED','FAILED','CANCELLED')",
                                    {PgInt(until), PgInt(id), PgInt(now), PgText(instance_)}));
      return r.affected() == 1;
    });
  }

  result<void> ConfirmNotification(std::int64_t id) override {
    const auto now = PgInt(Now());
    return Run(true, [&](Attempt& a) -> result<void> {
      FALTRAIN_TRY(auto r, a.c.Exec("UPDATE jobs SET notified_at = $1 WHERE id = $2 AND notified_at IS NULL",
                                    {now, PgInt(id)}));
      if (r.affected() == 0) FALTRAIN_TRYV(FindJobOn(a.c, id));  // not_found when missing
      return success();
    });
  }

  result<void> ReleaseNotificationClaims() override {
    return Run(true, [&](Attempt& a) -> result<void> {
      FALTRAIN_TRYV(a.c.Exec(
          "UPDATE jobs SET notify_claimed_until = NULL, notify_claimed_by = NULL "
          "WHERE notified_at IS NULL AND notify_claimed_by IS NOT NULL AND (notify_claimed_by = $1 OR "
          "notify_claimed_by NOT IN (SELECT application_name FROM pg_stat_activity "
          "WHERE application_name IS NOT NULL))",
          {PgText(instance_)}));
      return success();
    });
  }

  // -- inbox ---------------------------------------------------------------------------------
  // Group commit (detail::GroupCommit): the events queued while the previous batch committed go in
  // one multi-row INSERT ... ON CONFLICT DO NOTHING (one transaction, one WAL flush); each caller is
  // answered once it committed.
  result<bool> RecordWebhook(const InboxEvent& event) override {
    if (event.request_id.empty()) return fail(errc::invalid_argument, "RecordWebhook: empty request id");
    return group_commit_->SubmitAndWait(event);
  }

  void RecordWebhookAsync(InboxEvent event, RecordCallback done) override {
    if (event.request_id.empty()) return done(fail(errc::invalid_argument, "RecordWebhook: empty request id"));
    group_commit_->Submit(std::move(event), std::move(done));
  }

  result<InboxEvent> FindWebhook(std::string_view request_id) override {
    return Run(true, [&](Attempt& a) -> result<InboxEvent> {
      FALTRAIN_TRY(auto r, a.c.Exec("SELECT " FALTRAIN_PG_INBOX_COLUMNS
                                    " FROM webhook_inbox WHERE request_id = $1",
                                    {PgText(request_id)}));
      if (r.rows() == 0) return fail(errc::not_found, fmt::format("no webhook for request id \"{}\"", request_id));
      return ReadInbox(r, 0);
    });
  }

  result<std::vector<InboxEvent>> ClaimWebhooks(std::size_t limit, std::chrono::seconds lease) override {
    const std::int64_t now = Now();
    const std::int64_t until = now + std::chrono::duration_cast<std::chrono::milliseconds>(lease).count();
    // A retry after a lost answer may leave the first claim unused until its lease lapses: a delay,
    // never a double claim.
    return Run(true, [&](Attempt& a) -> result<std::vector<InboxEvent>> {
      FALTRAIN_TRY(auto r, a.c.Exec(
          "UPDATE webhook_inbox AS w SET claimed_until = $1, claimed_by = $2 FROM ("
          "  SELECT request_id FROM webhook_inbox WHERE processed_at IS NULL"
          "  AND (claimed_until IS NULL OR claimed_until <= $3)"
          "  ORDER BY received_at, request_id LIMIT $4 FOR UPDATE SKIP LOCKED) AS pick "
          "WHERE w.request_id = pick.request_id RETURNING w.request_id, w.body, w.user_id, w.signed_at, "
          "w.received_at, w.processed_at, w.processing_note, w.job_id, w.gateway_request_id",
          {PgInt(until), PgText(instance_), PgInt(now), PgInt(static_cast<std::int64_t>(limit))}));
      std::vector<InboxEvent> events;
      for (int i = 0; i < r.rows(); ++i) events.push_back(ReadInbox(r, i));
      std::sort(events.begin(), events.end(), [](const InboxEvent& x, const InboxEvent& y) {
        return x.received_at != y.received_at ? x.received_at < y.received_at : x.request_id < y.request_id;
      });
      return events;
    });
  }

  // Frees this instance's claims and those of instances with no open session (crashed ones); claims
  // of live neighbours stay theirs.
  result<void> ReleaseWebhookClaims() override {
    return Run(true, [&](Attempt& a) -> result<void> {
      FALTRAIN_TRYV(a.c.Exec(
          "UPDATE webhook_inbox SET claimed_until = NULL, claimed_by = NULL "
          "WHERE processed_at IS NULL AND claimed_by IS NOT NULL AND (claimed_by = $1 OR claimed_by NOT IN "
          "(SELECT application_name FROM pg_stat_activity WHERE application_name IS NOT NULL))",
          {PgText(instance_)}));
      return success();
    });
  }

  // Completes an event at most once: its row is locked and checked in the same transaction as the
  // job update. An event someone else completed already changes nothing and returns false.
  result<bool> CompleteWebhook(std::string_view request_id, std::string_view note,
                               std::optional<std::int64_t> job_id,
                               const std::optional<JobOutcome>& outcome) override {
    const auto now = PgInt(Now());
    return Run(true, [&](Attempt& a) -> result<bool> {
      return InTx(a, [&]() -> result<bool> {
        FALTRAIN_TRY(auto row, a.c.Exec("SELECT processed_at IS NOT NULL FROM webhook_inbox "
                                        "WHERE request_id = $1 FOR UPDATE",
                                        {PgText(request_id)}));
        if (row.rows() == 0) {
          return fail(errc::not_found, fmt::format("no webhook for request id \"{}\"", request_id));
        }
        if (row.text(0, 0) == "t") return false;
        bool changed = false;
        if (job_id && outcome) {
          FALTRAIN_TRY(changed, FinishOn(a.c, *job_id, *outcome));
        }
        FALTRAIN_TRYV(a.c.Exec("UPDATE webhook_inbox SET processed_at = $1, processing_note = $2, "
                               "claimed_until = NULL, claimed_by = NULL WHERE request_id = $3",
                               {now, PgText(note), PgText(request_id)}));
        return changed;
      });
    });
  }

  // As CompleteWebhook, for many events in one transaction: each row is locked and checked in it.
  result<std::vector<bool>> CompleteWebhooks(const std::vector<WebhookCompletion>& completions) override {
    const auto now = PgInt(Now());
    return Run(true, [&](Attempt& a) -> result<std::vector<bool>> {
      return InTx(a, [&]() -> result<std::vector<bool>> {
        std::vector<bool> changed;
        changed.reserve(completions.size());
        for (const auto& c : completions) {
          FALTRAIN_TRY(auto marked, a.c.Exec("UPDATE webhook_inbox SET processed_at = $1, processing_note = $2, "
                                             "claimed_until = NULL, claimed_by = NULL "
                                             "WHERE request_id = $3 AND processed_at IS NULL",
                                             {now, PgText(c.note), PgText(c.request_id)}));
          bool job_changed = false;
          if (marked.affected() == 1 && c.job_id && c.outcome) {
            FALTRAIN_TRY(job_changed, FinishOn(a.c, *c.job_id, *c.outcome));
          }
          changed.push_back(job_changed);
        }
        return changed;
      });
    });
  }

  result<std::size_t> CountWebhooks(bool unprocessed_only) override {
    return Run(true, [&](Attempt& a) -> result<std::size_t> {
      FALTRAIN_TRY(auto r, a.c.Exec(unprocessed_only
                                        ? "SELECT COUNT(*) FROM webhook_inbox WHERE processed_at IS NULL"
                                        : "SELECT COUNT(*) FROM webhook_inbox"));
      return static_cast<std::size_t>(r.integer(0, 0));
    });
  }

 private:
  std::int64_t Now() const { return ToUnixMillis(clock_->WallNow()); }

  // Events per INSERT: 7 parameters each, far below PostgreSQL's 65535-parameter limit.
  static constexpr std::size_t kMaxBatch = 1024;

  // One autocommit INSERT for the whole batch. RETURNING names the rows it stored; an event not
  // among them was stored before (or earlier in this batch): a duplicate. A failed statement stored
  // nothing. Retried once after a reconnect: a repeat of an INSERT that did commit finds its rows
  // stored and answers "duplicate" — durable either way.
  void CommitBatch(std::vector<detail::PendingRecord>& batch) {
    std::string sql =
        "INSERT INTO webhook_inbox (request_id, body, user_id, signed_at, received_at, job_id, "
        "gateway_request_id) VALUES ";
    std::vector<PgParam> params;
    constexpr std::size_t kColumns = 7;
    params.reserve(batch.size() * kColumns);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const InboxEvent& e = batch[i].event;
      const std::size_t n = i * kColumns;
      fmt::format_to(std::back_inserter(sql), "{}(${},${},${},${},${},${},${})", i == 0 ? "" : ",", n + 1,
                     n + 2, n + 3, n + 4, n + 5, n + 6, n + 7);
      params.push_back(PgText(e.request_id));
      params.push_back(PgText(e.body));
      params.push_back(PgText(e.user_id));
      params.push_back(PgInt(e.signed_at));
      params.push_back(PgInt(e.received_at == WallTime{} ? Now() : ToUnixMillis(e.received_at)));
      params.push_back(e.job_id ? PgInt(*e.job_id) : PgParam{});
      params.push_back(PgText(e.gateway_request_id));
    }
    sql += " ON CONFLICT (request_id) DO NOTHING RETURNING request_id";
    auto stored = Run(true, [&](Attempt& a) -> result<std::unordered_map<std::string, bool>> {
      FALTRAIN_TRY(auto r, a.c.Exec(sql.c_str(), params));
      std::unordered_map<std::string, bool> rows;
      for (int i = 0; i < r.rows(); ++i) rows.emplace(r.text(i, 0), true);
      return rows;
    });
    for (auto& p : batch) {
      if (!stored) {
        p.outcome = fail(stored.error());
        continue;
      }
      auto row = stored.value().find(p.event.request_id);
      p.outcome = row != stored.value().end() && row->second;
      if (row != stored.value().end()) row->second = false;  // a second copy in this batch: duplicate
    }
  }

  // Runs `body` on a pooled connection. When the connection broke (the server restarted), it is
  // dropped, and `body` runs once more on a fresh one if a repeat is safe: `retry_safe` and no COMMIT
  // of a failed transaction was sent (its outcome would be unknown).
  template <typename F>
  auto Run(bool retry_safe, F&& body) -> decltype(body(std::declval<Attempt&>())) {
    auto lease = pool_.Acquire();
    Attempt first{*lease};
    auto r = body(first);
    if (r || !lease->broken()) return r;
    lease->Close();
    if (!retry_safe || first.commit_sent) return r;
    Attempt second{*lease};
    auto again = body(second);
    if (!again && lease->broken()) lease->Close();
    return again;
  }

  // BEGIN; body; COMMIT — or ROLLBACK when body fails.
  template <typename F>
  auto InTx(Attempt& a, F&& body) -> decltype(body()) {
    FALTRAIN_TRYV(a.c.Exec("BEGIN"));
    auto r = body();
    if (!r) {
      if (!a.c.broken()) (void)a.c.Exec("ROLLBACK");
      return r;
    }
    a.commit_sent = true;
    FALTRAIN_TRYV(a.c.Exec("COMMIT"));
    return r;
  }

  static result<Job> FindJobOn(PgConnection& c, std::int64_t id) {
    FALTRAIN_TRY(auto r, c.Exec("SELECT " FALTRAIN_PG_JOB_COLUMNS " FROM jobs WHERE id = $1", {PgInt(id)}));
    if (r.rows() == 0) return fail(errc::not_found, fmt::format("no job {}", id));
    return ReadJob(r, 0);
  }

  result<bool> FinishOn(PgConnection& c, std::int64_t id, const JobOutcome& outcome) {
    if (!IsFinal(outcome.status)) {
      return fail(errc::invalid_argument,
                  fmt::format("Finish: {} is not a final status", to_string(outcome.status)));
    }
    FALTRAIN_TRY(auto r, c.Exec("UPDATE jobs SET status = $1, output_json = $2, error = $3, finished_at = $4, "
                                "updated_at = $4, progress = CASE WHEN $1 = 'COMPLETED' THEN 1 ELSE progress END "
                                "WHERE id = $5 AND status IN ('PENDING','SUBMITTING','TRAINING') AND ($6 = '' OR status = $6)",
                                {PgText(to_string(outcome.status)), PgText(outcome.output_json),
                                 PgText(outcome.error), PgInt(Now()), PgInt(id),
                                 PgText(outcome.only_from ? to_string(*outcome.only_from) : "")}));
    if (r.affected() == 1) return true;
    FALTRAIN_TRYV(FindJobOn(c, id));  // not_found when missing; otherwise already final
    return false;
  }

  // An acknowledged webhook must survive a server crash: refuse asynchronous commit unless asked.
  result<void> CheckDurability() {
    return Run(true, [&](Attempt& a) -> result<void> {
      FALTRAIN_TRY(auto r, a.c.Exec("SHOW synchronous_commit"));
      const std::string setting = r.rows() == 1 ? r.text(0, 0) : std::string();
      if (setting == "off" && !allow_async_commit_) {
        return fail(errc::storage_error,
                    "postgres: synchronous_commit is off, so a crash of the server can lose webhooks "
                    "already acknowledged; turn it on (the default), or allow it explicitly "
                    "(PostgresJobStoreOptions::allow_synchronous_commit_off, "
                    "FALTRAIN_DATABASE_ALLOW_ASYNC_COMMIT=1)");
      }
      return success();
    });
  }

  std::string instance_;
  detail::PgPool pool_;
  std::shared_ptr<Clock> clock_;
  std::unique_ptr<detail::GroupCommit> group_commit_;  // after Init; reset before the pool closes
  bool allow_async_commit_ = false;
};

}  // namespace

int PostgresJobStoreSchemaVersion() noexcept { return kSchemaVersion; }

bool IsPostgresUrl(std::string_view url) noexcept {
  auto starts = [url](std::string_view p) { return url.substr(0, p.size()) == p; };
  return starts("postgresql://") || starts("postgres://");
}

std::string RedactDatabaseUrl(std::string_view url) {
  std::string out(url);
  // userinfo "user:password@" in the authority
  const auto scheme = out.find("://");
  if (scheme != std::string::npos) {
    const auto start = scheme + 3;
    const auto end = out.find_first_of("/?#", start);
    const auto at = out.rfind('@', end == std::string::npos ? out.size() : end);
    if (at != std::string::npos && at >= start) {
      const auto colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // ?password=... among the query parameters
  for (std::size_t pos = 0; (pos = out.find("password=", pos)) != std::string::npos;) {
    const auto begin = pos + 9;
    const auto end = out.find('&', begin);
    out.replace(begin, (end == std::string::npos ? out.size() : end) - begin, "***");
    pos = begin + 3;
  }
  return out;
}

result<std::shared_ptr<JobStore>> OpenPostgresJobStore(const std::string& database_url,
                                                       PostgresJobStoreOptions options,
                                                       std::shared_ptr<Clock> clock) {
  auto store = std::make_shared<PostgresJobStore>(database_url, options,
                                                  clock ? std::move(clock) : MakeSystemClock());
  FALTRAIN_TRYV(store->Init());
  return std::shared_ptr<JobStore>(std::move(store));
}

result<std::shared_ptr<JobStore>> OpenJobStore(std::string_view database_url, std::shared_ptr<Clock> clock) {
  std::string url(database_url);
  if (url.empty()) {
    const char* env = std::getenv("FALTRAIN_DATABASE_URL");
    if (!env || !*env) {
      return fail(errc::invalid_argument, "no database URL given and FALTRAIN_DATABASE_URL is not set");
    }
    url = env;
  }
  if (IsPostgresUrl(url)) {
    PostgresJobStoreOptions options;
    if (const char* pool = std::getenv("FALTRAIN_DATABASE_POOL_SIZE"); pool && *pool) {
      char* end = nullptr;
      const long n = std::strtol(pool, &end, 10);
      if (*end != '\0' || n < 1 || n > 256) {
        return fail(errc::invalid_argument, fmt::format("FALTRAIN_DATABASE_POOL_SIZE: bad size \"{}\"", pool));
      }
      options.pool_size = static_cast<std::size_t>(n);
    }
    if (const char* allow = std::getenv("FALTRAIN_DATABASE_ALLOW_ASYNC_COMMIT"); allow && std::string(allow) == "1") {
      options.allow_synchronous_commit_off = true;
    }
    return OpenPostgresJobStore(url, options, std::move(clock));
  }
  std::string_view path = url;
  if (path.substr(0, 9) == "sqlite://") {
    path.remove_prefix(9);
  } else if (path.substr(0, 7) == "sqlite:") {
    path.remove_prefix(7);
  }
  if (path.empty()) return fail(errc::invalid_argument, "sqlite: URL without a path");
  return OpenSqliteJobStore(std::filesystem::path(std::string(path)), {}, std::move(clock));
}

}  // namespace v1
}  // namespace faltrain
