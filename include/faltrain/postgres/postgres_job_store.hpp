#pragma once
/// @file
/// PostgresJobStore: the JobStore for several receivers and bots sharing one database.
///
/// Everything that must hold across processes is enforced by PostgreSQL, not by process memory:
/// the webhook inbox is deduplicated by its primary key (INSERT ... ON CONFLICT DO NOTHING), statuses
/// move forward by conditional UPDATEs and a trigger, an inbox event is completed once (its row is
/// locked and `processed_at` checked in the completing transaction), and notifications are claimed by
/// a conditional UPDATE. Inbox claims are leases written with `FOR UPDATE SKIP LOCKED`, so concurrent
/// claimers in different processes never take the same event, and a crashed process's claims lapse.
///
/// `OpenJobStore` picks the backend from a database URL: `postgresql://` or `postgres://` selects
/// PostgreSQL; `sqlite:PATH`, `sqlite://PATH` or a plain path selects SQLite.

#include <faltrain/client/clock.hpp>
#include <faltrain/jobs/job_store.hpp>
#include <faltrain/client/result.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace faltrain {
inline namespace v1 {

/// The PostgreSQL store's connection pool.
struct PostgresJobStoreOptions {
  /// Connections kept open (opened lazily); callers wait when all are busy.
  std::size_t pool_size = 8;
  /// Accept a server whose `synchronous_commit` is `off`. There a commit is acknowledged before it
  /// is durable, so a server crash can lose webhooks already answered 200 (fal will not resend
  /// them). Off by default: opening such a store fails with `errc::storage_error`.
  bool allow_synchronous_commit_off = false;
  /// Prepare each statement once per connection (the server then parses and plans it once, not on
  /// every call). Turn off behind a pooler that does not keep prepared statements (PgBouncer in
  /// transaction mode before 1.21).
  bool prepare_statements = true;
};

/// A store in the PostgreSQL database at `database_url` (a libpq URL or keyword string); the schema
/// is created and migrated (table `schema_migrations`) under an advisory lock, so several instances
/// may start at once. Fails with `errc::storage_error` (server message, never the password) when the
/// database cannot be reached, or when its `synchronous_commit` is `off` and
/// `options.allow_synchronous_commit_off` is not set. Times come from `clock`.
result<std::shared_ptr<JobStore>> OpenPostgresJobStore(const std::string& database_url,
                                                       PostgresJobStoreOptions options = {},
                                                       std::shared_ptr<Clock> clock = MakeSystemClock());

/// The schema version `OpenPostgresJobStore` migrates to.
int PostgresJobStoreSchemaVersion() noexcept;

/// True for `postgresql://...` and `postgres://...`.
bool IsPostgresUrl(std::string_view database_url) noexcept;

/// `database_url` with any password replaced by "***", safe to log.
std::string RedactDatabaseUrl(std::string_view database_url);

/// Opens the store a database URL names: PostgreSQL for `postgresql://` / `postgres://`, else SQLite
/// (`sqlite:` / `sqlite://` prefixes are stripped; ":memory:" works). An empty URL reads
/// `FALTRAIN_DATABASE_URL`, and fails with `errc::invalid_argument` when that is unset too.
/// `FALTRAIN_DATABASE_POOL_SIZE` (1..256) sets `PostgresJobStoreOptions::pool_size`;
/// `FALTRAIN_DATABASE_ALLOW_ASYNC_COMMIT=1` sets `allow_synchronous_commit_off`.
result<std::shared_ptr<JobStore>> OpenJobStore(std::string_view database_url,
                                               std::shared_ptr<Clock> clock = MakeSystemClock());

}  // namespace v1
}  // namespace faltrain
