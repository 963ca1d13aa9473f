// StatementCache: each SQL text compiled once per connection, lent to one Statement at a time.

#include "faltrain/sqlite/statement.hpp"

#include <sqlite3.h>

#include <unordered_map>

namespace faltrain {
inline namespace v1 {
namespace sqlite {

struct StatementCache::Entries {
  struct Entry {
    std::unique_ptr<std::string> sql;  // the key's characters: they stay put while the map grows
    sqlite3_stmt* stmt = nullptr;
    bool lent = false;
  };
  std::unordered_map<std::string_view, Entry> by_sql;
};

StatementCache::StatementCache(sqlite3* db) : db_(db), entries_(std::make_unique<Entries>()) {}

StatementCache::~StatementCache() {
  for (auto& [sql, entry] : entries_->by_sql) sqlite3_finalize(entry.stmt);
}

std::size_t StatementCache::size() const { return entries_->by_sql.size(); }

Statement::Statement(StatementCache& cache, std::string_view sql) : db_(cache.db_) {
  auto& by_sql = cache.entries_->by_sql;
  auto found = by_sql.find(sql);
  if (found != by_sql.end() && !found->second.lent) {
    stmt_ = found->second.stmt;
    lent_ = &found->second.lent;
    *lent_ = true;
    return;
  }
  prepare_code_ = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  // A nested borrower of a statement already lent gets its own, finalized when it is done.
  if (prepare_code_ != SQLITE_OK || found != by_sql.end()) return;
  auto text = std::make_unique<std::string>(sql);
  const std::string_view key(*text);
  auto& entry = by_sql[key];
  entry.sql = std::move(text);
  entry.stmt = stmt_;
  entry.lent = true;
  lent_ = &entry.lent;
}

}  // namespace sqlite
}  // namespace v1
}  // namespace faltrain
