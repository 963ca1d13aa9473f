#include "job_store_url.hpp"

#if FALTRAIN_EXAMPLES_WITH_POSTGRES
#include <faltrain/postgres/postgres_job_store.hpp>
#endif

namespace faltrain_examples {

bool IsPostgresUrl(std::string_view url) noexcept {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

faltrain::result<std::shared_ptr<faltrain::JobStore>> OpenJobStoreUrl(
    std::string_view url, const faltrain::SqliteJobStoreOptions& sqlite_options) {
  if (IsPostgresUrl(url)) {
#if FALTRAIN_EXAMPLES_WITH_POSTGRES
    return faltrain::OpenJobStore(url);
#else
    return faltrain::fail(faltrain::errc::invalid_argument,
                          "a PostgreSQL job store needs faltrain::postgres, which this build left "
                          "out (FALTRAIN_WITH_POSTGRES=OFF); use a SQLite path");
#endif
  }
  // `sqlite://PATH` and `sqlite:PATH` name a SQLite file as well as a plain path does.
  for (std::string_view prefix : {"sqlite://", "sqlite:"}) {
    if (url.rfind(prefix, 0) == 0) {
      url.remove_prefix(prefix.size());
      break;
    }
  }
  if (url.empty()) return faltrain::fail(faltrain::errc::invalid_argument, "no job store path");
  return faltrain::OpenSqliteJobStore(std::string(url), sqlite_options);
}

std::string RedactStoreUrl(std::string_view url) {
#if FALTRAIN_EXAMPLES_WITH_POSTGRES
  return faltrain::RedactDatabaseUrl(url);
#else
  return IsPostgresUrl(url) ? "postgresql://***" : std::string(url);
#endif
}

}  // namespace faltrain_examples
