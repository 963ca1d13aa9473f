#include "bot_store.hpp"

#include <faltrain/sqlite/statement.hpp>

#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>

namespace faltrain_bot {
namespace {

using faltrain::errc;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
  user_id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL, language TEXT NOT NULL DEFAULT '',
  state INTEGER NOT NULL DEFAULT 0, draft_avatar INTEGER NOT NULL DEFAULT 0,
  prompt_avatar INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS drafts (
  id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL, chat_id INTEGER NOT NULL,
  name TEXT NOT NULL, style TEXT NOT NULL DEFAULT '', preset TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS photos (
  draft_id INTEGER NOT NULL, unique_id TEXT NOT NULL, name TEXT NOT NULL, bytes BLOB NOT NULL,
  PRIMARY KEY (draft_id, unique_id));
CREATE TABLE IF NOT EXISTS jobs (
  job_id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, chat_id INTEGER NOT NULL,
  notified INTEGER NOT NULL DEFAULT 0);  -- 0 to tell, 2 being told (claimed), 1 told
CREATE INDEX IF NOT EXISTS jobs_user ON jobs(user_id);
)sql";

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

faltrain::error DbError(sqlite3* db, std::string_view what) {
  return faltrain::error(errc::storage_error, fmt::format("{}: {}", what, sqlite3_errmsg(db)));
}

using Stmt = faltrain::sqlite::Statement;  // the library's wrapper, shared with its job store

}  // namespace

faltrain::result<std::unique_ptr<BotStore>> BotStore::Open(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.string().c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    auto e = DbError(db, "opening " + path.string());
    sqlite3_close(db);
    return faltrain::fail(std::move(e));
  }
  sqlite3_busy_timeout(db, 5000);
  char* message = nullptr;
  std::string setup = std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;") + kSchema;
  if (sqlite3_exec(db, setup.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    sqlite3_close(db);
    return faltrain::fail(errc::storage_error, "creating the bot schema: " + text);
  }
  return std::unique_ptr<BotStore>(new BotStore(db));
}

BotStore::~BotStore() {
  statements_.reset();  // finalized before the connection closes
  sqlite3_close(db_);
}

faltrain::result<std::int64_t> BotStore::LoadOffset() {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*statements_, "SELECT value FROM kv WHERE key = 'offset'");
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::int64_t{0};
  if (rc != SQLITE_ROW) return faltrain::fail(s.Error("loading the offset"));
  return static_cast<std::int64_t>(std::stoll(s.Text(0)));
}

faltrain::result<void> BotStore::SaveOffset(std::int64_t offset) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*statements_, "INSERT INTO kv(key, value) VALUES('offset', ?) "
              "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  return s.Bind(std::to_string(offset)).Run("saving the offset");
}

faltrain::result<Session> BotStore::LoadSession(std::int64_t user_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*statements_, "SELECT chat_id, language, state, draft_avatar, prompt_avatar FROM sessions "
              "WHERE user_id = ?");
  s.Bind(user_id);
  Session session;
  session.user_id = user_id;
  int rc = s.Step();
  if (rc == SQLITE_DONE) return session;
  if (rc != SQLITE_ROW) return faltrain::fail(s.Error("loading a session"));
  session.chat_id = s.Int(0);
  session.language = s.Text(1);
  session.state = static_cast<ChatState>(s.Int(2));
  session.draft_avatar = s.Int(3);
  session.prompt_avatar = s.Int(4);
  return session;
}

faltrain::result<void> BotStore::SaveSession(const Session& session) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*statements_, "INSERT INTO sessions(user_id, chat_id, language, state, draft_avatar, prompt_avatar) "
              "VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET "
              "chat_id = excluded.chat_id, language = excluded.language, state = excluded.state, "
              "draft_avatar = excluded.draft_avatar, prompt_avatar = excluded.prompt_avatar");
  s.Bind(session.user_id).Bind(session.chat_id).Bind(session.language)
      .Bind(static_cast<std::int64_t>(session.state)).Bind(session.draft_avatar)
      .Bind(session.prompt_avatar);
  return s.Run("saving a session");
}

faltrain::result<std::string> BotStore::UserLanguage(std::int64_t user_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*statements_, "SELECT language FROM sessions WHERE user_id = ?");
  s.Bind(user_id);
  int rc = s.Step();
  if (rc == SQLITE_ROW) return s.Text(0);
  if (rc == SQLITE_DONE) return std::string();
  return faltrain::fail(s.Error("loading a language"));
}

faltrain::result<std::int64_t> BotStore::CreateDraft(std::int64_t user_id, std::int64_t chat_id,
                                                     std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*statements_, "INSERT INTO drafts(user_id, chat_id, name, created_ms) VALUES(?, ?, ?, ?)");
  s.Bind(user_id).Bind(chat_id).Bind(name).Bind(NowMs());
  FALTRAIN_TRYV(s.Run("creating a draft"));
  return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_));
}

faltrain::result<Draft> BotStore::FindDraft(std::int64_t user_id, std::int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*statements_, "SELECT id, user_id, chat_id, name, style, preset FROM drafts WHERE id = ? AND user_id = ?");
  s.Bind(id).Bind(user_id);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return faltrain::fail(errc::not_found, "no such draft");
  if (rc != SQLITE_ROW) return faltrain::fail(s.Error("loading a draft"));
  Draft d;
  d.id = s.Int(0);
  d.user_id = s.Int(1);
  d.chat_id = s.Int(2);
  d.name = s.Text(3);
  d.style = s.Text(4);
  d.preset = s.Text(5);
  return d;
}

faltrain::result<void> BotStore::SetDraftChoice(std::int64_t id, std::string_view style,
                                                std::string_view preset) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*statements_, "UPDATE drafts SET style = ?, preset = ? WHERE id = ?");
  return s.Bind(style).Bind(preset).Bind(id).Run("updating a draft");
}

faltrain::result<void> BotStore::DeleteDraft(std::int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt photos(*statements_, "DELETE FROM photos WHERE draft_id = ?");
  FALTRAIN_TRYV(photos.Bind(id).Run("deleting draft photos"));
  Stmt s(*statements_, "DELETE FROM drafts WHERE id = ?");
  return s.Bind(id).Run("deleting a draft");
}

faltrain::result<bool> BotStore::AddPhoto(std::int64_t draft_id, std::string_view unique_id,
                                          std::string_view name, std::string_view bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*statements_, "INSERT OR IGNORE INTO photos(draft_id, unique_id, name, bytes) VALUES(?, ?, ?, ?)");
  FALTRAIN_TRYV(s.Bind(draft_id).Bind(unique_id).Bind(name).BindBlob(bytes).Run("storing a photo"));
  return sqlite3_changes(db_) == 1;
}

faltrain::result<std::size_t> BotStore::CountPhotos(std::int64_t draft_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*statements_, "SELECT COUNT(*) FROM photos WHERE draft_id = ?");
  s.Bind(draft_id);
  if (s.Step() != SQLITE_ROW) return faltrain::fail(s.Error("counting photos"));
  return static_cast<std::size_t>(s.Int(0));
}

faltrain::result<std::vector<StoredPhoto>> BotStore::LoadPhotos(std::int64_t draft_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*statements_, "SELECT name, bytes FROM photos WHERE draft_id = ? ORDER BY rowid");
  s.Bind(draft_id);
  std::vector<StoredPhoto> out;
  for (int rc = s.Step();; rc = s.Step()) {
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return faltrain::fail(s.Error("loading photos"));
    out.push_back({s.Text(0), s.Blob(1)});
  }
  return out;
}

faltrain::result<void> BotStore::AddJob(const BotJob& job) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*statements_, "INSERT OR IGNORE INTO jobs(job_id, user_id, chat_id) VALUES(?, ?, ?)");
  return s.Bind(job.job_id).Bind(job.user_id).Bind(job.chat_id).Run("recording a job");
}

faltrain::result<void> BotStore::ReleaseNotification(std::int64_t job_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*statements_, "UPDATE jobs SET notified = 0 WHERE job_id = ? AND notified = 2");
  return s.Bind(job_id).Run("releasing a notification");
}

faltrain::result<void> BotStore::ConfirmNotification(std::int64_t job_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*statements_, "UPDATE jobs SET notified = 1 WHERE job_id = ?");
  return s.Bind(job_id).Run("confirming a notification");
}

faltrain::result<void> BotStore::ReleaseUnconfirmedNotifications() {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*statements_, "UPDATE jobs SET notified = 0 WHERE notified = 2");
  return s.Run("releasing unconfirmed notifications");
}

faltrain::result<std::vector<BotJob>> BotStore::QueryJobs(const char* sql, std::int64_t arg) {
  Stmt s(*statements_, sql);
  if (std::string_view(sql).find('?') != std::string_view::npos) s.Bind(arg);
  std::vector<BotJob> out;
  for (int rc = s.Step();; rc = s.Step()) {
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return faltrain::fail(s.Error("listing jobs"));
    out.push_back({s.Int(0), s.Int(1), s.Int(2)});
  }
  return out;
}

faltrain::result<BotJob> BotStore::FindJob(std::int64_t user_id, std::int64_t job_id) {
  std::lock_guard<std::mutex> lock(mu_);
  FALTRAIN_TRY(auto rows, QueryJobs("SELECT job_id, user_id, chat_id FROM jobs WHERE job_id = ?", job_id));
  if (rows.empty() || rows.front().user_id != user_id) {
    return faltrain::fail(errc::not_found, "no such avatar");
  }
  return rows.front();
}

faltrain::result<std::vector<BotJob>> BotStore::ListJobs(std::int64_t user_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return QueryJobs("SELECT job_id, user_id, chat_id FROM jobs WHERE user_id = ? ORDER BY job_id DESC",
                   user_id);
}

faltrain::result<std::vector<BotJob>> BotStore::ListUnnotifiedJobs() {
  std::lock_guard<std::mutex> lock(mu_);
  return QueryJobs("SELECT job_id, user_id, chat_id FROM jobs WHERE notified = 0 ORDER BY job_id", 0);
}

faltrain::result<bool> BotStore::ClaimNotification(std::int64_t job_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(*statements_, "UPDATE jobs SET notified = 2 WHERE job_id = ? AND notified = 0");
  FALTRAIN_TRYV(s.Bind(job_id).Run("claiming a notification"));
  return sqlite3_changes(db_) == 1;
}

}  // namespace faltrain_bot
