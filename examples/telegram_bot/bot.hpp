#pragma once
// The conversation: turns each Telegram update into replies and actions (create an avatar, choose
// style and preset, collect photos, train, status, cancel, list, generate), per user and isolated.
// Runs in the update loop's thread; slow work goes to the WorkQueue.

#include "bot_log.hpp"
#include "bot_store.hpp"
#include "flood_guard.hpp"
#include "messages.hpp"
#include "telegram_api.hpp"
#include "training_service.hpp"
#include "work_queue.hpp"

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace faltrain_bot {

class Bot {
 public:
  /// `photo_checks`: check each photo and the set before training (faltrain::preflight; the caller
  /// turns it on only when PhotoChecksReady()).
  Bot(TelegramApi& api, BotStore& store, TrainingService& training, WorkQueue& work, BotLog& log,
      bool verbose, bool photo_checks = false);

  /// Handles one update. Never fails: problems are logged and the user gets a polite answer.
  void Handle(const Update& update);
  /// Sends one acknowledgement per album once no photo of it arrived for a moment (an album's
  /// photos come as separate updates, not always in one getUpdates answer).
  void FlushAlbums(std::chrono::steady_clock::time_point now);
  /// Whether an album acknowledgement is waiting (poll briefly, then flush).
  bool HasPendingAlbums() const { return !album_acks_.empty(); }

 private:
  struct Context {
    Session session;
    const Messages* m = nullptr;
    std::int64_t chat_id = 0;
  };

  void HandleMessage(const Message& message);
  void HandleCallback(const CallbackQuery& query);
  void HandleCommand(Context& ctx, std::string_view command, std::string_view argument,
                     const TelegramUser& from);
  void HandleText(Context& ctx, std::string_view text);
  void HandlePhoto(Context& ctx, const Message& message);

  // HandlePhoto's steps.
  struct IncomingPhoto {
    std::string file_id;
    std::string unique_id;         ///< the same file sent twice has the same one
    std::int64_t declared_size = 0;  ///< 0 = not given
  };
  /// Empty when the message is a document that is not an image.
  static std::optional<IncomingPhoto> PhotoOf(const Message& message);
  bool CollectingPhotos(Context& ctx);
  std::optional<std::string> DownloadPhoto(Context& ctx, const std::string& file_id);
  void AcknowledgePhoto(Context& ctx, const Message& message, const Draft& draft, std::size_t count);

  void NewAvatar(Context& ctx, std::string_view name);
  void CreateDraft(Context& ctx, std::string_view name);
  void ChooseStyle(Context& ctx, std::string_view style);
  void ChoosePreset(Context& ctx, std::string_view preset);
  /// Starts the training; with photo checks, only once the set passes, or when the user confirmed
  /// (`confirmed_photos`: the draft's photo count when they pressed "Train with N photos") leaving
  /// out the photos the check rejects.
  void Train(Context& ctx, std::size_t confirmed_photos = 0);
  /// The photo check of the whole draft, run by a worker before training: the photos to train with,
  /// or nothing after showing the user the contact sheet and what is wrong.
  std::optional<std::vector<StoredPhoto>> CheckBeforeTraining(const Draft& draft,
                                                              std::vector<StoredPhoto> photos,
                                                              std::size_t confirmed_photos,
                                                              const Messages& m, std::int64_t chat);
  /// The draft being created, with style and preset chosen; nullopt after telling the user.
  std::optional<Draft> ChosenDraft(Context& ctx);
  /// /check: the contact sheet and the check's summary.
  void CheckPhotos(Context& ctx);
  /// Says what is wrong; offers training without the rejected photos when
  /// enough are left.
  void ShowProblems(const SetFinding& finding, std::size_t required, const Messages& m, std::int64_t chat);
  /// The buttons under a photo acknowledgement: train once there are enough, check when checks run.
  InlineKeyboard CollectingKeyboard(const Messages& m, std::size_t count, std::size_t required) const;
  /// Sends the contact sheet (when the finding has one) as a photo.
  void SendSheet(const SetFinding& finding, const Messages& m, std::int64_t chat);
  /// The check of one arriving photo; nullopt when it could not run (the photo is then taken).
  std::optional<PhotoFinding> CheckArrival(const Draft& draft, const std::string& name,
                                           std::string_view bytes);
  void Status(Context& ctx);
  void Cancel(Context& ctx, std::int64_t job_id);
  void ListAvatars(Context& ctx);
  void AskPrompt(Context& ctx, std::int64_t job_id);
  void Generate(Context& ctx, std::int64_t job_id, std::string_view prompt);
  /// The user's newest COMPLETED job, or 0.
  std::int64_t LatestCompleted(std::int64_t user_id);
  /// The job if this user owns it (in both stores).
  faltrain::result<faltrain::Job> OwnedJob(std::int64_t user_id, std::int64_t job_id);

  void Send(std::int64_t chat_id, const std::string& text, const InlineKeyboard& keyboard = {});
  bool TryBusy(std::int64_t user_id);
  void DoneBusy(std::int64_t user_id);

  TelegramApi& api_;
  BotStore& store_;
  TrainingService& training_;
  WorkQueue& work_;
  BotLog& log_;
  bool verbose_;
  bool photo_checks_;
  FloodGuard flood_;

  /// Serialises read-modify-write of sessions between the update loop and the workers.
  std::mutex session_mu_;
  std::mutex busy_mu_;
  std::set<std::int64_t> busy_users_;

  struct AlbumAck {
    std::int64_t user_id = 0;
    std::int64_t draft_id = 0;
    std::size_t added = 0;
    std::string language;
    std::chrono::steady_clock::time_point last;
  };
  std::map<std::pair<std::int64_t, std::string>, AlbumAck> album_acks_;
};

}  // namespace faltrain_bot
