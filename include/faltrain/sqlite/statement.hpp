#pragma once
/// @file
/// A prepared SQLite statement for code that keeps its own tables beside the job store (a bot's
/// sessions, say): positional binding, stepping, typed columns. The connection stays the caller's
/// (`sqlite3*` from sqlite3_open_v2); result codes are SQLite's own (SQLITE_ROW, SQLITE_DONE, ...).

#include <faltrain/client/result.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace faltrain {
inline namespace v1 {
/// SQLite helpers for code that keeps its own tables beside the job store.
namespace sqlite {

/// The statements one connection runs again and again, compiled once each: compiling costs more
/// than running a small query. `Statement st(cache, sql)` borrows the compiled `sql` (compiling it
/// the first time); the statement goes back, reset and unbound, when `st` is destroyed. Use it from
/// one thread at a time (the connection's); a statement already borrowed is compiled afresh for a
/// nested borrower. Destroy the cache after every `Statement` borrowed from it, and before closing
/// its connection.
class StatementCache {
 public:
  /// Caches statements for `db`, which must outlive the cache.
  explicit StatementCache(sqlite3* db);
  ~StatementCache();  ///< finalizes every cached statement
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  sqlite3* db() const { return db_; }  ///< the connection
  std::size_t size() const;            ///< how many statements are compiled and kept

 private:
  friend class Statement;
  struct Entries;
  sqlite3* db_;
  std::unique_ptr<Entries> entries_;
};

/// `Statement st(db, "SELECT name FROM t WHERE id = ?"); st.Bind(id); if (st.Step() == SQLITE_ROW) ...`
/// Parameters bind in order from the first `?`; the statement is finalized on destruction (or, when
/// borrowed from a `StatementCache`, reset and given back).
class Statement {
 public:
  /// Compiles `sql` on `db`, which must outlive the statement.
  Statement(sqlite3* db, std::string_view sql);
  /// Borrows `sql` compiled on the cache's connection, compiling it on first use.
  Statement(StatementCache& cache, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  /// Whether the SQL compiled; a statement that did not fails every Step with its error code.
  bool ok() const { return prepare_code_ == 0; }

  Statement& Bind(std::string_view v);  ///< the next parameter, as TEXT (copied)
  /// The next parameter, as TEXT (copied).
  Statement& Bind(const std::string& v) { return Bind(std::string_view(v)); }
  /// The next parameter, as TEXT (copied).
  Statement& Bind(const char* v) { return Bind(std::string_view(v)); }
  Statement& Bind(std::int64_t v);  ///< the next parameter, as INTEGER
  /// The next parameter, as INTEGER.
  Statement& Bind(int v) { return Bind(static_cast<std::int64_t>(v)); }
  Statement& Bind(double v);                    ///< the next parameter, as REAL
  Statement& BindBlob(std::string_view bytes);  ///< the next parameter, as BLOB (copied)
  Statement& BindNull();                        ///< the next parameter, as NULL

  /// SQLITE_ROW, SQLITE_DONE or an error code (SQLITE_CONSTRAINT, ...).
  int Step();
  /// Steps once; an error naming `what` (and SQLite's message) unless it gave a row or finished.
  result<void> Run(std::string_view what);
  /// `errc::storage_error`: "<what>: <SQLite's message for the connection>".
  error Error(std::string_view what) const;
  /// Ready to bind and step again.
  void Reset();

  // Columns of the current row, from 0. NULL reads as empty / 0.
  std::string Text(int col) const;   ///< a TEXT column
  std::string Blob(int col) const;   ///< a BLOB column, bytes as they are
  std::int64_t Int(int col) const;   ///< an INTEGER column
  double Double(int col) const;      ///< a REAL column
  bool Null(int col) const;          ///< whether the column is NULL

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int prepare_code_ = 0;
  int index_ = 0;
  bool* lent_ = nullptr;  ///< the cache's "borrowed" flag for `stmt_`, when it is the cache's
};

}  // namespace sqlite
}  // namespace v1
}  // namespace faltrain
