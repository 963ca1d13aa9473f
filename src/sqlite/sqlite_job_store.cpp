// SqliteJobStore: the default JobStore. One connection guarded by a mutex, WAL journal, a busy
// timeout for other processes, and versioned schema migrations (PRAGMA user_version).

#include "faltrain/sqlite/sqlite_job_store.hpp"
#include "faltrain/sqlite/statement.hpp"

#include "jobs/detail/group_commit.hpp"
#include "sqlite/detail/wal_checkpointer.hpp"
#include "jobs/detail/job_rows.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace faltrain {
inline namespace v1 {
namespace {

// Each entry migrates the schema from version i to i + 1. Never edit a shipped entry; append.
constexpr const char* kMigrations[] = {
    // 1: jobs and the webhook inbox. Times are Unix milliseconds.
    R"sql(
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
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
  progress REAL NOT NULL DEFAULT 0,
  output_json TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  training_started_at INTEGER,
  finished_at INTEGER,
  last_checked_at INTEGER,
  notified_at INTEGER
);
CREATE INDEX jobs_by_status ON jobs(status, updated_at);
CREATE TABLE webhook_inbox (
  request_id TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  user_id TEXT NOT NULL DEFAULT '',
  signed_at INTEGER NOT NULL DEFAULT 0,
  received_at INTEGER NOT NULL,
  processed_at INTEGER,
  processing_note TEXT NOT NULL DEFAULT '',
  claimed_until INTEGER
);
CREATE INDEX inbox_unprocessed ON webhook_inbox(processed_at, received_at);
)sql",
    // 2: the forward-only rule, enforced by the database too.
    R"sql(
CREATE TRIGGER jobs_forward_only BEFORE UPDATE OF status ON jobs
WHEN NEW.status <> OLD.status AND NOT (
  (OLD.status = 'PENDING') OR
  (OLD.status = 'TRAINING' AND NEW.status IN ('COMPLETED','FAILED','CANCELLED')))
BEGIN
  SELECT RAISE(ABORT, 'job status may only move forward');
END;
)sql",
    // 3: SUBMITTING (recorded before the submit POST), notification leases (the outbox), and the
    // job a verified webhook token names. SQLite cannot alter a CHECK constraint: rebuild jobs.
    R"sql(
DROP TRIGGER jobs_forward_only;
CREATE TABLE jobs_v3 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id TEXT NOT NULL,
  name TEXT NOT NULL,
  style TEXT NOT NULL,
  preset TEXT NOT NULL,
  trainer TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('PENDING','SUBMITTING','TRAINING','COMPLETED','FAILED','CANCELLED')),
  endpoint_id TEXT NOT NULL DEFAULT '',
  request_id TEXT UNIQUE,
  gateway_request_id TEXT NOT NULL DEFAULT '',
  status_url TEXT NOT NULL DEFAULT '',
  response_url TEXT NOT NULL DEFAULT '',
  cancel_url TEXT NOT NULL DEFAULT '',
  progress REAL NOT NULL DEFAULT 0,
  output_json TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  training_started_at INTEGER,
  finished_at INTEGER,
  last_checked_at INTEGER,
  notified_at INTEGER,
  notify_claimed_until INTEGER
);
INSERT INTO jobs_v3 (id, user_id, name, style, preset, trainer, status, endpoint_id, request_id,
  gateway_request_id, status_url, response_url, cancel_url, progress, output_json, error, created_at,
  updated_at, training_started_at, finished_at, last_checked_at, notified_at)
SELECT id, user_id, name, style, preset, trainer, status, endpoint_id, request_id, gateway_request_id,
  status_url, response_url, cancel_url, progress, output_json, error, created_at, updated_at,
  training_started_at, finished_at, last_checked_at, notified_at FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_v3 RENAME TO jobs;
CREATE INDEX jobs_by_status ON jobs(status, updated_at);
CREATE TRIGGER jobs_forward_only BEFORE UPDATE OF status ON jobs
WHEN NEW.status <> OLD.status AND NOT (
  (OLD.status = 'PENDING') OR
  (OLD.status = 'SUBMITTING' AND NEW.status IN ('TRAINING','COMPLETED','FAILED','CANCELLED')) OR
  (OLD.status = 'TRAINING' AND NEW.status IN ('COMPLETED','FAILED','CANCELLED')))
BEGIN
  SELECT RAISE(ABORT, 'job status may only move forward');
END;
ALTER TABLE webhook_inbox ADD COLUMN job_id INTEGER;
)sql",
    // 4: the body's gateway_request_id next to its request_id (fal may sign either one).
    R"sql(
ALTER TABLE webhook_inbox ADD COLUMN gateway_request_id TEXT NOT NULL DEFAULT '';
)sql",
};
constexpr int kSchemaVersion = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));

// Queries naming these lists are formatted once, into function-local statics (the hot ones run
// per webhook event); the statement cache then compiles each once.
constexpr const char* kJobColumns =
    "id, user_id, name, style, preset, trainer, status, endpoint_id, request_id, gateway_request_id, "
    "status_url, response_url, cancel_url, progress, output_json, error, created_at, updated_at, "
    "training_started_at, finished_at, last_checked_at, notified_at, notify_claimed_until";
constexpr const char* kInboxColumns =
    "request_id, body, user_id, signed_at, received_at, processed_at, processing_note, job_id, "
    "gateway_request_id";

using detail::ToUnixMillis;

using sqlite::Statement;

class SqliteJobStore final : public JobStore {
 public:
  SqliteJobStore(sqlite3* db, std::shared_ptr<Clock> clock)
      : db_(db), clock_(std::move(clock)), statements_(std::make_unique<sqlite::StatementCache>(db)) {}
  ~SqliteJobStore() override {
    group_commit_.reset();  // answers what is queued while the connection is still open
    checkpointer_.reset();  // the store's own connection closes last and checkpoints what is left
    statements_.reset();    // finalized before the connection closes
    sqlite3_close_v2(db_);
  }

  result<void> Init(const SqliteJobStoreOptions& options) {
    sqlite3_busy_timeout(db_, static_cast<int>(options.busy_timeout.count()));
    FALTRAIN_TRYV(Exec("PRAGMA journal_mode=WAL"));
    FALTRAIN_TRYV(Exec(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
    FALTRAIN_TRYV(Exec("PRAGMA foreign_keys=ON"));
    FALTRAIN_TRYV(Migrate());
    if (options.max_page_count > 0) {
      FALTRAIN_TRYV(Exec(fmt::format("PRAGMA max_page_count = {}", options.max_page_count).c_str()));
    }
    FALTRAIN_TRYV(Exec(fmt::format("PRAGMA wal_autocheckpoint = {}", std::max(0, options.checkpoint_pages)).c_str()));
    StartCheckpointer(options);
    group_commit_ = std::make_unique<detail::GroupCommit>(
        [this](std::vector<detail::PendingRecord>& batch) { CommitBatch(batch); }, kMaxBatch);
    return success();
  }

  // -- jobs ----------------------------------------------------------------------------------
  result<Job> CreateJob(const NewJob& job) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::int64_t now = Now();
    Statement st(*statements_, "INSERT INTO jobs (user_id, name, style, preset, trainer, status, created_at, updated_at) "
                 "VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?)");
    if (!st.ok()) return Fail("prepare insert job");
    st.Bind(job.user_id).Bind(job.name).Bind(job.style).Bind(job.preset).Bind(job.trainer).Bind(now).Bind(now);
    if (st.Step() != SQLITE_DONE) return Fail("insert job");
    return FindJobLocked(sqlite3_last_insert_rowid(db_));
  }

  result<Job> FindJob(std::int64_t id) override {
    std::lock_guard<std::mutex> lock(mu_);
    return FindJobLocked(id);
  }

  result<Job> FindJobByRequestId(std::string_view request_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    static const std::string kSql = fmt::format("SELECT {} FROM jobs WHERE request_id = ?", kJobColumns);
    Statement st(*statements_, kSql);
    st.Bind(request_id);
    return SelectOne(st, ReadJob, "find job by request id",
                     [&] { return fmt::format("no job with request id \"{}\"", request_id); });
  }

  result<std::vector<Job>> ListJobs(JobStatus status, std::size_t limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    static const std::string kSql = fmt::format("SELECT {} FROM jobs WHERE status = ? ORDER BY id LIMIT ?", kJobColumns);
    Statement st(*statements_, kSql);
    st.Bind(to_string(status)).Bind(static_cast<std::int64_t>(limit));
    return ReadJobs(st);
  }

  result<std::vector<Job>> ListStale(JobStatus status, WallTime cutoff, std::size_t limit) override {
    if (IsFinal(status)) return fail(errc::invalid_argument, "ListStale: a final status is never stale");
    std::lock_guard<std::mutex> lock(mu_);
    static const std::string kSql = fmt::format("SELECT {} FROM jobs WHERE status = ?1 AND updated_at < ?2 "
        "AND (last_checked_at IS NULL OR last_checked_at < ?2) "
        "ORDER BY updated_at LIMIT ?3", kJobColumns);
    Statement st(*statements_, kSql);
    st.Bind(to_string(status)).Bind(ToUnixMillis(cutoff)).Bind(static_cast<std::int64_t>(limit));
    return ReadJobs(st);
  }

  result<std::vector<Job>> ListUnnotified(std::size_t limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    static const std::string kSql = fmt::format("SELECT {} FROM jobs WHERE status IN ('COMPLETED','FAILED','CANCELLED') "
        "AND notified_at IS NULL AND (notify_claimed_until IS NULL OR "
        "notify_claimed_until <= ?) ORDER BY finished_at LIMIT ?", kJobColumns);
    Statement st(*statements_, kSql);
    st.Bind(Now()).Bind(static_cast<std::int64_t>(limit));
    return ReadJobs(st);
  }

  result<Job> MarkSubmitting(std::int64_t id) override {
    std::lock_guard<std::mutex> lock(mu_);
    Statement st(*statements_, "UPDATE jobs SET status = 'SUBMITTING', updated_at = ? WHERE id = ? AND status = 'PENDING'");
    st.Bind(Now()).Bind(id);
    if (st.Step() != SQLITE_DONE) return Fail("mark submitting");
    const bool changed = sqlite3_changes(db_) == 1;
    FALTRAIN_TRY(auto job, FindJobLocked(id));
    if (!changed) {
      return fail(errc::invalid_argument, fmt::format("job {} is {}, not PENDING", id, to_string(job.status)));
    }
    return job;
  }

  result<Job> MarkTraining(std::int64_t id, const RequestHandle& handle) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (handle.request_id.empty()) return fail(errc::invalid_argument, "MarkTraining: empty request id");
    const std::int64_t now = Now();
    Statement st(*statements_, "UPDATE jobs SET status = 'TRAINING', endpoint_id = ?, request_id = ?, "
                 "gateway_request_id = ?, status_url = ?, response_url = ?, cancel_url = ?, "
                 "training_started_at = ?, updated_at = ? WHERE id = ? AND status IN ('PENDING','SUBMITTING')");
    st.Bind(handle.endpoint_id).Bind(handle.request_id).Bind(handle.gateway_request_id)
        .Bind(handle.status_url).Bind(handle.response_url).Bind(handle.cancel_url).Bind(now).Bind(now).Bind(id);
    int rc = st.Step();
    if (rc == SQLITE_CONSTRAINT) {
      return fail(errc::invalid_argument,
                  fmt::format("request id \"{}\" already belongs to another job", handle.request_id));
    }
    if (rc != SQLITE_DONE) return Fail("mark training");
    if (sqlite3_changes(db_) == 1) return FindJobLocked(id);
    FALTRAIN_TRY(auto job, FindJobLocked(id));
    if (job.handle.request_id != handle.request_id) {
      return fail(errc::invalid_argument,
                  fmt::format("job {} is {}, not PENDING", id, to_string(job.status)));
    }
    // Already this request's job (its webhook came first): keep what it has, fill what it lacks.
    Statement fill(db_, "UPDATE jobs SET status_url = ?, response_url = ?, cancel_url = ?, "
                   "gateway_request_id = CASE WHEN gateway_request_id = '' THEN ? ELSE gateway_request_id END "
                   "WHERE id = ? AND status_url = ''");
    fill.Bind(handle.status_url).Bind(handle.response_url).Bind(handle.cancel_url)
        .Bind(handle.gateway_request_id).Bind(id);
    if (fill.Step() != SQLITE_DONE) return Fail("mark training");
    return FindJobLocked(id);
  }

  result<void> UpdateProgress(std::int64_t id, double progress) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!(progress >= 0)) progress = 0;  // also NaN
    if (progress > 1) progress = 1;
    Statement st(*statements_, "UPDATE jobs SET progress = ?, updated_at = ? WHERE id = ? AND status = 'TRAINING'");
    st.Bind(progress).Bind(Now()).Bind(id);
    if (st.Step() != SQLITE_DONE) return Fail("update progress");
    if (sqlite3_changes(db_) == 0) FALTRAIN_TRYV(FindJobLocked(id));  // not_found when missing
    return success();
  }

  result<bool> Finish(std::int64_t id, const JobOutcome& outcome) override {
    std::lock_guard<std::mutex> lock(mu_);
    return FinishLocked(id, outcome);
  }

  result<void> MarkChecked(std::int64_t id) override {
    std::lock_guard<std::mutex> lock(mu_);
    Statement st(*statements_, "UPDATE jobs SET last_checked_at = ? WHERE id = ?");
    st.Bind(Now()).Bind(id);
    if (st.Step() != SQLITE_DONE) return Fail("mark checked");
    return success();
  }

  result<bool> ClaimNotification(std::int64_t id, std::chrono::seconds lease) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::int64_t now = Now();
    Statement st(*statements_, "UPDATE jobs SET notify_claimed_until = ? WHERE id = ? AND notified_at IS NULL "
                 "AND (notify_claimed_until IS NULL OR notify_claimed_until <= ?) "
                 "AND status IN ('COMPLETED','FAILED','CANCELLED')");
    st.Bind(now + std::chrono::duration_cast<std::chrono::milliseconds>(lease).count()).Bind(id).Bind(now);
    if (st.Step() != SQLITE_DONE) return Fail("claim notification");
    return sqlite3_changes(db_) == 1;
  }

  result<void> ConfirmNotification(std::int64_t id) override {
    std::lock_guard<std::mutex> lock(mu_);
    Statement st(*statements_, "UPDATE jobs SET notified_at = ? WHERE id = ? AND notified_at IS NULL");
    st.Bind(Now()).Bind(id);
    if (st.Step() != SQLITE_DONE) return Fail("confirm notification");
    if (sqlite3_changes(db_) == 0) FALTRAIN_TRYV(FindJobLocked(id));  // not_found when missing
    return success();
  }

  result<void> ReleaseNotificationClaims() override {
    std::lock_guard<std::mutex> lock(mu_);
    return Exec("UPDATE jobs SET notify_claimed_until = NULL WHERE notified_at IS NULL AND "
                "notify_claimed_until IS NOT NULL");
  }

  // -- inbox ---------------------------------------------------------------------------------
  // Group commit (detail::GroupCommit): events queue up while the previous batch commits, and the
  // next transaction writes them all, so many webhooks share one fsync. Each caller is answered only
  // after the transaction holding its event committed.
  result<bool> RecordWebhook(const InboxEvent& event) override {
    if (event.request_id.empty()) return fail(errc::invalid_argument, "RecordWebhook: empty request id");
    return group_commit_->SubmitAndWait(event);
  }

  void RecordWebhookAsync(InboxEvent event, RecordCallback done) override {
    if (event.request_id.empty()) return done(fail(errc::invalid_argument, "RecordWebhook: empty request id"));
    group_commit_->Submit(std::move(event), std::move(done));
  }

  result<InboxEvent> FindWebhook(std::string_view request_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    static const std::string kSql = fmt::format("SELECT {} FROM webhook_inbox WHERE request_id = ?", kInboxColumns);
    Statement st(*statements_, kSql);
    st.Bind(request_id);
    return SelectOne(st, ReadInbox, "find webhook",
                     [&] { return fmt::format("no webhook for request id \"{}\"", request_id); });
  }

  result<std::vector<InboxEvent>> ClaimWebhooks(std::size_t limit, std::chrono::seconds lease) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::int64_t now = Now();
    FALTRAIN_TRYV(Transaction("BEGIN IMMEDIATE"));
    auto rollback = [this](auto failure) {
      Rollback();
      return failure;
    };
    std::vector<InboxEvent> events;
    {
      static const std::string kSql = fmt::format("SELECT {} FROM webhook_inbox WHERE processed_at IS NULL AND "
          "(claimed_until IS NULL OR claimed_until <= ?) ORDER BY received_at, "
          "request_id LIMIT ?", kInboxColumns);
      Statement st(*statements_, kSql);
      st.Bind(now).Bind(static_cast<std::int64_t>(limit));
      int rc;
      while ((rc = st.Step()) == SQLITE_ROW) events.push_back(ReadInbox(st));
      if (rc != SQLITE_DONE) return rollback(Fail("claim webhooks"));
    }
    const std::int64_t until = now + std::chrono::duration_cast<std::chrono::milliseconds>(lease).count();
    Statement claim(db_, "UPDATE webhook_inbox SET claimed_until = ? WHERE request_id = ?");
    for (const auto& e : events) {
      claim.Reset();
      claim.Bind(until).Bind(e.request_id);
      if (!claim.ok() || claim.Step() != SQLITE_DONE) return rollback(Fail("claim webhook"));
    }
    FALTRAIN_TRYV(Transaction("COMMIT"));
    return events;
  }

  result<void> ReleaseWebhookClaims() override {
    std::lock_guard<std::mutex> lock(mu_);
    return Exec("UPDATE webhook_inbox SET claimed_until = NULL WHERE processed_at IS NULL");
  }

  result<bool> CompleteWebhook(std::string_view request_id, std::string_view note,
                               std::optional<std::int64_t> job_id,
                               const std::optional<JobOutcome>& outcome) override {
    std::lock_guard<std::mutex> lock(mu_);
    FALTRAIN_TRYV(Transaction("BEGIN IMMEDIATE"));
    bool changed = false;
    if (job_id && outcome) {
      auto finished = FinishLocked(*job_id, *outcome);
      if (!finished) {
        Rollback();
        return fail(std::move(finished).error());
      }
      changed = finished.value();
    }
    Statement st(*statements_, "UPDATE webhook_inbox SET processed_at = ?, processing_note = ?, claimed_until = NULL "
                 "WHERE request_id = ?");
    st.Bind(Now()).Bind(note).Bind(request_id);
    if (st.Step() != SQLITE_DONE) {
      auto failure = Fail("complete webhook");
      Rollback();
      return failure;
    }
    if (sqlite3_changes(db_) == 0) {
      Rollback();
      return fail(errc::not_found, fmt::format("no webhook for request id \"{}\"", request_id));
    }
    FALTRAIN_TRYV(Transaction("COMMIT"));
    return changed;
  }

  result<std::vector<bool>> CompleteWebhooks(const std::vector<WebhookCompletion>& completions) override {
    std::lock_guard<std::mutex> lock(mu_);
    FALTRAIN_TRYV(Transaction("BEGIN IMMEDIATE"));
    std::vector<bool> changed;
    changed.reserve(completions.size());
    Statement mark(db_, "UPDATE webhook_inbox SET processed_at = ?, processing_note = ?, claimed_until = NULL "
                   "WHERE request_id = ? AND processed_at IS NULL");
    for (const auto& c : completions) {
      mark.Reset();
      mark.Bind(Now()).Bind(c.note).Bind(c.request_id);
      if (!mark.ok() || mark.Step() != SQLITE_DONE) {
        auto failure = Fail("complete webhooks");
        Rollback();
        return failure;
      }
      bool job_changed = false;
      if (sqlite3_changes(db_) == 1 && c.job_id && c.outcome) {  // not processed before: apply it
        auto finished = FinishLocked(*c.job_id, *c.outcome);
        if (!finished) {
          Rollback();
          return fail(std::move(finished).error());
        }
        job_changed = finished.value();
      }
      changed.push_back(job_changed);
    }
    FALTRAIN_TRYV(Transaction("COMMIT"));
    return changed;
  }

  result<std::size_t> CountWebhooks(bool unprocessed_only) override {
    std::lock_guard<std::mutex> lock(mu_);
    Statement st(*statements_, unprocessed_only ? "SELECT COUNT(*) FROM webhook_inbox WHERE processed_at IS NULL"
                                  : "SELECT COUNT(*) FROM webhook_inbox");
    if (st.Step() != SQLITE_ROW) return Fail("count webhooks");
    return static_cast<std::size_t>(st.Int(0));
  }

 private:
  std::int64_t Now() const { return ToUnixMillis(clock_->WallNow()); }

  error Error(std::string_view what) const {
    return error{errc::storage_error, fmt::format("sqlite: {}: {}", what, sqlite3_errmsg(db_))};
  }
  outcome::failure_type<error> Fail(std::string_view what) const { return fail(Error(what)); }

  // The background checkpointer restarts the log at half of `checkpoint_pages`, before the
  // writer's own checkpoint comes due; it pauses the writer by taking the store's mutex, which every
  // transaction holds.
  void StartCheckpointer(const SqliteJobStoreOptions& options) {
    const char* file = sqlite3_db_filename(db_, "main");
    if (options.checkpoint_interval.count() <= 0 || file == nullptr || *file == '\0') return;  // ":memory:"
    const int restart_frames =
        options.checkpoint_pages > 0 ? std::max(1, options.checkpoint_pages / 2) : std::numeric_limits<int>::max();
    checkpointer_ = detail::WalCheckpointer::Start(
        file, options.checkpoint_interval, restart_frames, [this](const std::function<void()>& work) {
          std::lock_guard<std::mutex> lock(mu_);
          work();
        });
  }

  // BEGIN IMMEDIATE, COMMIT, ROLLBACK: compiled once (statements_), like every query here.
  result<void> Transaction(const char* sql) {
    Statement st(*statements_, sql);
    if (st.Step() == SQLITE_DONE) return success();
    return fail(errc::storage_error, fmt::format("sqlite: {}", sqlite3_errmsg(db_)));
  }

  result<void> Exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      return fail(errc::storage_error, fmt::format("sqlite: {}", text));
    }
    return success();
  }

  // Best effort: after a failed statement the transaction may already be gone.
  void Rollback() { (void)Transaction("ROLLBACK"); }

  result<void> Migrate() {
    std::lock_guard<std::mutex> lock(mu_);
    FALTRAIN_TRYV(Transaction("BEGIN IMMEDIATE"));
    int version = 0;
    {
      Statement st(*statements_, "PRAGMA user_version");
      if (st.Step() != SQLITE_ROW) {
        Rollback();
        return Fail("read schema version");
      }
      version = static_cast<int>(st.Int(0));
    }
    if (version > kSchemaVersion) {
      Rollback();
      return fail(errc::storage_error,
                  fmt::format("database schema version {} is newer than this faltrain ({})", version,
                              kSchemaVersion));
    }
    for (int v = version; v < kSchemaVersion; ++v) {
      auto applied = Exec(kMigrations[v]);
      if (!applied) {
        Rollback();
        return fail(errc::storage_error, fmt::format("schema migration {}: {}", v + 1,
                                                     applied.error().message));
      }
    }
    if (version != kSchemaVersion) {
      FALTRAIN_TRYV(Exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion).c_str()));
    }
    return Transaction("COMMIT");
  }

  // Events per transaction: large enough to share one fsync among everything a busy receiver
  // queues meanwhile, small enough to keep a transaction short.
  static constexpr std::size_t kMaxBatch = 1024;

  // One transaction for the whole batch. A failed insert may end the transaction by itself (SQLite
  // rolls back on SQLITE_FULL, I/O errors, ...; sqlite3_get_autocommit tells), and so may a failed
  // COMMIT: then each caller is answered from what the table holds, never from what was attempted.
  void CommitBatch(std::vector<detail::PendingRecord>& batch) {
    std::lock_guard<std::mutex> lock(mu_);
    auto fail_all = [&](const error& e) {
      for (auto& p : batch) p.outcome = fail(e);
    };
    if (auto begun = Transaction("BEGIN IMMEDIATE"); !begun) return fail_all(begun.error());
    Statement st(*statements_, "INSERT INTO webhook_inbox (request_id, body, user_id, signed_at, received_at, job_id, "
                 "gateway_request_id) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(request_id) DO NOTHING");
    if (!st.ok()) {
      auto e = Error("prepare record webhook");
      Rollback();
      return fail_all(e);
    }
    for (auto& p : batch) {
      const InboxEvent& event = p.event;
      const std::int64_t received = event.received_at == WallTime{} ? Now() : ToUnixMillis(event.received_at);
      st.Reset();
      st.Bind(event.request_id).Bind(event.body).Bind(event.user_id).Bind(event.signed_at).Bind(received);
      if (event.job_id) {
        st.Bind(*event.job_id);
      } else {
        st.BindNull();
      }
      st.Bind(event.gateway_request_id);
      if (st.Step() == SQLITE_DONE) {
        p.outcome = sqlite3_changes(db_) == 1;  // 0: already stored (also earlier in this batch)
        continue;
      }
      const error e = Error("record webhook");
      if (sqlite3_get_autocommit(db_)) return AnswerFromTable(batch, e);  // the batch was rolled back
      p.outcome = fail(e);  // only this statement failed; the transaction goes on
    }
    if (auto committed = Transaction("COMMIT"); !committed) {
      if (!sqlite3_get_autocommit(db_)) Rollback();  // e.g. SQLITE_BUSY leaves it open
      AnswerFromTable(batch, committed.error());
    }
  }

  // After the batch's transaction was rolled back: an event in the table now was stored by an
  // earlier transaction (a duplicate: false); any other fails with `why`.
  void AnswerFromTable(std::vector<detail::PendingRecord>& batch, const error& why) {
    Statement st(*statements_, "SELECT 1 FROM webhook_inbox WHERE request_id = ?");
    for (auto& p : batch) {
      st.Reset();
      st.Bind(p.event.request_id);
      const int rc = st.ok() ? st.Step() : SQLITE_ERROR;
      if (rc == SQLITE_ROW) {
        p.outcome = false;
      } else {
        p.outcome = fail(why);
      }
    }
  }

  result<bool> FinishLocked(std::int64_t id, const JobOutcome& outcome) {
    if (!IsFinal(outcome.status)) {
      return fail(errc::invalid_argument,
                  fmt::format("Finish: {} is not a final status", to_string(outcome.status)));
    }
    const std::int64_t now = Now();
    Statement st(*statements_, "UPDATE jobs SET status = ?, output_json = ?, error = ?, finished_at = ?, updated_at = ?, "
                 "progress = CASE WHEN ? = 'COMPLETED' THEN 1 ELSE progress END "
                 "WHERE id = ? AND status IN ('PENDING','SUBMITTING','TRAINING') AND (? = '' OR status = ?)");
    const std::string_view from = outcome.only_from ? to_string(*outcome.only_from) : "";
    st.Bind(to_string(outcome.status)).Bind(outcome.output_json).Bind(outcome.error).Bind(now).Bind(now)
        .Bind(to_string(outcome.status)).Bind(id).Bind(from).Bind(from);
    if (st.Step() != SQLITE_DONE) return Fail("finish job");
    if (sqlite3_changes(db_) == 1) return true;
    FALTRAIN_TRYV(FindJobLocked(id));  // not_found when missing; otherwise already final
    return false;
  }

  result<Job> FindJobLocked(std::int64_t id) {
    static const std::string kSql = fmt::format("SELECT {} FROM jobs WHERE id = ?", kJobColumns);
    Statement st(*statements_, kSql);
    st.Bind(id);
    return SelectOne(st, ReadJob, "find job", [&] { return fmt::format("no job {}", id); });
  }

  /// The one row `st` selects, read with `read`; not_found, saying `missing()`, when there is none.
  template <class Read, class Missing>
  auto SelectOne(Statement& st, Read read, std::string_view what, Missing missing) const
      -> result<decltype(read(st))> {
    const int rc = st.Step();
    if (rc == SQLITE_ROW) return read(st);
    if (rc == SQLITE_DONE) return fail(errc::not_found, missing());
    return Fail(what);
  }

  result<std::vector<Job>> ReadJobs(Statement& st) {
    std::vector<Job> jobs;
    int rc;
    while ((rc = st.Step()) == SQLITE_ROW) jobs.push_back(ReadJob(st));
    if (rc != SQLITE_DONE) return Fail("list jobs");
    return jobs;
  }

  static Job ReadJob(const Statement& st) { return detail::ReadJobRow(st); }
  static InboxEvent ReadInbox(const Statement& st) { return detail::ReadInboxRow(st); }

  sqlite3* db_;
  std::shared_ptr<Clock> clock_;
  std::mutex mu_;  // the connection
  std::unique_ptr<sqlite::StatementCache> statements_;  // every query, compiled once; used under mu_

  std::unique_ptr<detail::WalCheckpointer> checkpointer_;  // file databases; reset before db_ closes
  std::unique_ptr<detail::GroupCommit> group_commit_;  // after Init; reset before db_ closes
};

}  // namespace

int SqliteJobStoreSchemaVersion() noexcept { return kSchemaVersion; }

result<std::shared_ptr<JobStore>> OpenSqliteJobStore(const std::filesystem::path& path,
                                                     SqliteJobStoreOptions options,
                                                     std::shared_ptr<Clock> clock) {
  sqlite3* db = nullptr;
  const std::string name = path.string();
  int rc = sqlite3_open_v2(name.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return fail(errc::storage_error, fmt::format("sqlite: open {}: {}", name, message));
  }
  auto store = std::make_shared<SqliteJobStore>(db, clock ? std::move(clock) : MakeSystemClock());
  FALTRAIN_TRYV(store->Init(options));
  return std::shared_ptr<JobStore>(std::move(store));
}

}  // namespace v1
}  // namespace faltrain
