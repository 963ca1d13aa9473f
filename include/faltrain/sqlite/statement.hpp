#pragma once
/// @file
/// A prepared SQLite statement for code that keeps its own tables beside the job store (a bot's
/// sessions, say): positional binding, stepping, typed columns. The connection stays the caller's
/// (`sqlite3*` from sqlite3_open_v2); result codes are SQLite's own (SQLITE_ROW, SQLITE_DONE, ...).

#include <faltrain/client/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace faltrain {
inline namespace v1 {
/// SQLite helpers for code that keeps its own tables beside the job store.
namespace sqlite {

/// `Statement st(db, "SELECT name FROM t WHERE id = ?"); st.Bind(id); if (st.Step() == SQLITE_ROW) ...`
/// Parameters bind in order from the first `?`; the statement is finalized on destruction.
class Statement {
 public:
  /// Compiles `sql` on `db`, which must outlive the statement.
  Statement(sqlite3* db, std::string_view sql);
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
};

}  // namespace sqlite
}  // namespace v1
}  // namespace faltrain
