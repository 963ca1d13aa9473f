#pragma once
// The bot's own durable state in one SQLite file: the getUpdates offset, each user's conversation,
// drafts with their photos, and which training jobs (kept in the shared faltrain::JobStore) belong
// to which chat, with a flag that lets each job's outcome be told exactly once.

#include <faltrain/client/result.hpp>
#include <faltrain/sqlite/statement.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace faltrain_bot {

/// An avatar being put together: name, then style and preset, then photos.
struct Draft {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::int64_t chat_id = 0;
  std::string name;
  std::string style;   ///< empty until chosen
  std::string preset;  ///< empty until chosen
};

/// A training job (in the shared JobStore) this bot started for a user.
struct BotJob {
  std::int64_t job_id = 0;
  std::int64_t user_id = 0;
  std::int64_t chat_id = 0;
};

/// Where a user is in the conversation.
enum class ChatState { kIdle, kAwaitName, kAwaitStyle, kAwaitPreset, kCollecting, kAwaitPrompt };

struct Session {
  std::int64_t user_id = 0;
  std::int64_t chat_id = 0;
  std::string language;          ///< the user's last language_code
  ChatState state = ChatState::kIdle;
  std::int64_t draft_avatar = 0;   ///< the avatar being created (style/preset/photos)
  std::int64_t prompt_avatar = 0;  ///< the avatar the next prompt is for
};

struct StoredPhoto {
  std::string name;
  std::string bytes;
};

class BotStore {
 public:
  /// Opens (creating) the database at `path`; ":memory:" for a private one.
  static faltrain::result<std::unique_ptr<BotStore>> Open(const std::filesystem::path& path);
  ~BotStore();
  BotStore(const BotStore&) = delete;
  BotStore& operator=(const BotStore&) = delete;

  // -- updates -----------------------------------------------------------------------------------
  faltrain::result<std::int64_t> LoadOffset();
  faltrain::result<void> SaveOffset(std::int64_t offset);

  // -- conversations -----------------------------------------------------------------------------
  /// The user's session (a fresh idle one when the user is new).
  faltrain::result<Session> LoadSession(std::int64_t user_id);
  faltrain::result<void> SaveSession(const Session& session);
  faltrain::result<std::string> UserLanguage(std::int64_t user_id);

  // -- drafts ------------------------------------------------------------------------------------
  faltrain::result<std::int64_t> CreateDraft(std::int64_t user_id, std::int64_t chat_id,
                                             std::string_view name);
  /// The draft if it belongs to `user_id`, else `errc::not_found` (per-user isolation).
  faltrain::result<Draft> FindDraft(std::int64_t user_id, std::int64_t id);
  faltrain::result<void> SetDraftChoice(std::int64_t id, std::string_view style,
                                        std::string_view preset);
  /// Deletes a draft and its photos.
  faltrain::result<void> DeleteDraft(std::int64_t id);

  /// False when a photo with this Telegram file_unique_id is already in the draft.
  faltrain::result<bool> AddPhoto(std::int64_t draft_id, std::string_view unique_id,
                                  std::string_view name, std::string_view bytes);
  faltrain::result<std::size_t> CountPhotos(std::int64_t draft_id);
  faltrain::result<std::vector<StoredPhoto>> LoadPhotos(std::int64_t draft_id);

  // -- jobs this bot started ---------------------------------------------------------------------
  faltrain::result<void> AddJob(const BotJob& job);
  /// The job if this bot started it for `user_id`, else `errc::not_found`.
  faltrain::result<BotJob> FindJob(std::int64_t user_id, std::int64_t job_id);
  /// The user's jobs, newest first.
  faltrain::result<std::vector<BotJob>> ListJobs(std::int64_t user_id);
  /// Jobs whose outcome the user has not been told yet.
  faltrain::result<std::vector<BotJob>> ListUnnotifiedJobs();
  /// True once per job until released: the caller then owns telling the user its outcome, and
  /// confirms it once Telegram took the message.
  faltrain::result<bool> ClaimNotification(std::int64_t job_id);
  /// Records that the user was told (Telegram confirmed the message, or refused it for good).
  faltrain::result<void> ConfirmNotification(std::int64_t job_id);
  /// Gives a claim back (the message could not be delivered for now), so it is tried again.
  faltrain::result<void> ReleaseNotification(std::int64_t job_id);
  /// At startup: claims a killed predecessor held without confirming are sent again.
  faltrain::result<void> ReleaseUnconfirmedNotifications();

 private:
  explicit BotStore(sqlite3* db) : db_(db), statements_(std::make_unique<faltrain::sqlite::StatementCache>(db)) {}
  faltrain::result<std::vector<BotJob>> QueryJobs(const char* sql, std::int64_t arg);

  std::mutex mu_;
  sqlite3* db_;
  std::unique_ptr<faltrain::sqlite::StatementCache> statements_;  // each query compiled once; under mu_
};

}  // namespace faltrain_bot
