#pragma once
// libpq plumbing for PostgresJobStore: owned results, one connection with text-parameter statements,
// and a small blocking pool. Errors carry the server's message, never the connection string.

#include "faltrain/client/result.hpp"

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// "postgresql://user@host:port/db" from a connection URL or keyword string, without the password.
std::string DescribePgTarget(const std::string& conninfo);

/// A statement parameter in text format; nullopt is SQL NULL.
using PgParam = std::optional<std::string>;
PgParam PgText(std::string_view v);
PgParam PgInt(std::int64_t v);
PgParam PgDouble(double v);

/// An owned PGresult.
class PgResult {
 public:
  explicit PgResult(PGresult* r = nullptr) : r_(r) {}
  PgResult(PgResult&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  PgResult& operator=(PgResult&& o) noexcept;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  ~PgResult();

  int rows() const { return r_ ? PQntuples(r_) : 0; }
  /// Rows changed by an INSERT/UPDATE/DELETE.
  std::int64_t affected() const;
  bool null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  std::string text(int row, int col) const;
  std::int64_t integer(int row, int col) const;
  double real(int row, int col) const;
  /// The five-character SQLSTATE of a failed statement ("" when it succeeded).
  std::string sqlstate() const;

 private:
  PGresult* r_;
};

/// One libpq connection. Not thread-safe: the pool hands it to one caller at a time.
class PgConnection {
 public:
  /// `prepare`: statements are prepared once per session (see `Prepared`).
  PgConnection(std::string conninfo, std::string application_name, bool prepare);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  /// Connects (or reconnects when the connection is bad) and sets the session up.
  result<void> Ensure();
  /// Runs one statement with text parameters. A failed statement is `errc::storage_error` with the
  /// server's message; `sqlstate` (optional) receives its SQLSTATE.
  result<PgResult> Exec(const char* sql, const std::vector<PgParam>& params = {},
                        std::string* sqlstate = nullptr);
  /// Runs a script of several statements without parameters (migrations).
  result<void> ExecScript(const char* sql);
  /// True once libpq noticed the connection broke (server restarted, network gone).
  bool broken() const;
  /// Drops the connection; the next Ensure() opens a new one.
  void Close();

 private:
  std::string conninfo_;
  std::string application_name_;
  /// The server-side name `sql` is prepared under on this connection, preparing it on first use;
  /// nullptr when it is better run unprepared (the cache is full, or PREPARE failed: running it
  /// then reports the same error the usual way).
  const char* Prepared(const char* sql, int params);

  const bool prepare_;
  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name; per session
};

/// A fixed number of connections opened lazily; Acquire blocks while all are in use.
class PgPool {
 public:
  PgPool(std::string conninfo, std::string application_name, std::size_t size, bool prepare);

  class Lease {
   public:
    Lease(PgPool* pool, std::unique_ptr<PgConnection> c) : pool_(pool), c_(std::move(c)) {}
    Lease(Lease&& o) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    PgConnection& operator*() { return *c_; }
    PgConnection* operator->() { return c_.get(); }

   private:
    PgPool* pool_;
    std::unique_ptr<PgConnection> c_;
  };

  Lease Acquire();

 private:
  void Return(std::unique_ptr<PgConnection> c);

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
};

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
