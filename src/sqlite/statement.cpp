#include "faltrain/sqlite/statement.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

namespace faltrain {
inline namespace v1 {
namespace sqlite {

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  prepare_code_ = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
}

Statement::~Statement() {
  if (!lent_) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);  // ends a read it may hold open, as finalizing would
  sqlite3_clear_bindings(stmt_);
  *lent_ = false;
}

Statement& Statement::Bind(std::string_view v) {
  sqlite3_bind_text(stmt_, ++index_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::Bind(std::int64_t v) {
  sqlite3_bind_int64(stmt_, ++index_, v);
  return *this;
}

Statement& Statement::Bind(double v) {
  sqlite3_bind_double(stmt_, ++index_, v);
  return *this;
}

Statement& Statement::BindBlob(std::string_view bytes) {
  sqlite3_bind_blob(stmt_, ++index_, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::BindNull() {
  sqlite3_bind_null(stmt_, ++index_);
  return *this;
}

int Statement::Step() { return ok() ? sqlite3_step(stmt_) : prepare_code_; }

result<void> Statement::Run(std::string_view what) {
  const int rc = Step();
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return fail(Error(what));
  return success();
}

error Statement::Error(std::string_view what) const {
  return error(errc::storage_error, fmt::format("{}: {}", what, sqlite3_errmsg(db_)));
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  index_ = 0;
}

std::string Statement::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}

std::string Statement::Blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}

std::int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::Double(int col) const { return sqlite3_column_double(stmt_, col); }
bool Statement::Null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

}  // namespace sqlite
}  // namespace v1
}  // namespace faltrain
