#pragma once
// The job store a database URL names, with the backends this build has: PostgreSQL for
// `postgresql://` and `postgres://` when faltrain::postgres was built, SQLite for anything else.
// Lets the receiver, the bot and the demo build without faltrain::postgres.

#include <faltrain/jobs/job_store.hpp>
#include <faltrain/sqlite/sqlite_job_store.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace faltrain_examples {

/// True for `postgresql://...` and `postgres://...`, whether or not PostgreSQL support was built.
bool IsPostgresUrl(std::string_view database_url) noexcept;

/// Opens the store; a PostgreSQL URL in a build without faltrain::postgres is a clear
/// `errc::invalid_argument`. `sqlite_options` apply to a SQLite path.
faltrain::result<std::shared_ptr<faltrain::JobStore>> OpenJobStoreUrl(
    std::string_view database_url, const faltrain::SqliteJobStoreOptions& sqlite_options = {});

/// The URL with any password replaced, safe to log.
std::string RedactStoreUrl(std::string_view database_url);

}  // namespace faltrain_examples
