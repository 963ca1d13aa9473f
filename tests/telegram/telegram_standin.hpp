#pragma once
// A Telegram Bot API stand-in on 127.0.0.1 (ephemeral port): users' messages, photos, documents and
// button presses are queued as updates for getUpdates (long polling with offset confirmation, as
// Telegram does); everything the bot sends is recorded. It can simulate an outage (every method
// answers 502) to check that the bot keeps its offset and loses no update.

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace faltrain_bot_test {

struct SentMessage {
  std::int64_t chat_id = 0;
  std::int64_t message_id = 0;
  std::string text;
  std::string reply_markup;  ///< JSON as sent; empty when none
};

struct SentPhoto {
  std::int64_t chat_id = 0;
  std::string url;           ///< when sent by URL
  std::string bytes;         ///< when uploaded (multipart)
  std::string content_type;
  std::string caption;
};

class TelegramStandin {
 public:
  explicit TelegramStandin(std::string token);
  ~TelegramStandin();
  TelegramStandin(const TelegramStandin&) = delete;
  TelegramStandin& operator=(const TelegramStandin&) = delete;

  /// "http://127.0.0.1:<port>" — the bot's TELEGRAM_API_URL.
  std::string url() const;

  // -- what users do (each returns the update id) -------------------------------------------------
  std::int64_t PushText(std::int64_t user, const std::string& text, const std::string& lang = "en");
  std::int64_t PushPhoto(std::int64_t user, const std::string& bytes, const std::string& media_group = "",
                         const std::string& lang = "en");
  /// A file sent as a document; `declared_size` < 0 means the real size.
  std::int64_t PushDocument(std::int64_t user, const std::string& bytes, const std::string& file_name,
                            const std::string& mime, std::int64_t declared_size = -1,
                            const std::string& lang = "en");
  std::int64_t PushSticker(std::int64_t user, const std::string& lang = "en");
  std::int64_t PushCallback(std::int64_t user, const std::string& data, const std::string& lang = "en");

  // -- what the bot did ---------------------------------------------------------------------------
  std::vector<SentMessage> Messages(std::int64_t chat) const;
  std::vector<SentPhoto> Photos(std::int64_t chat) const;
  /// Waits until `chat` has more than `at_least` messages or photos, or `timeout` passes.
  void WaitForActivity(std::function<bool()> done, std::chrono::seconds timeout) const;
  std::size_t CallbackAnswers() const;
  /// How many times a file was downloaded (by its file_id, as returned from Push*).
  std::size_t Downloads() const;
  std::size_t GetFileCalls() const;
  /// Every offset getUpdates was called with, in order.
  std::vector<std::int64_t> PollOffsets() const;
  /// How many times each update id was handed out.
  std::map<std::int64_t, int> Deliveries() const;
  /// Requests that used another token (must stay zero).
  std::size_t WrongTokenRequests() const;

  // -- outage --------------------------------------------------------------------------------------
  void SetOutage(bool on);
  /// Requests answered 502 because of the outage.
  std::size_t OutageFailures() const;

 private:
  struct File {
    std::string file_id, unique_id, bytes;
    std::int64_t declared_size = 0;
  };

  std::int64_t Enqueue(const std::string& update_body);
  std::string UserJson(std::int64_t user, const std::string& lang) const;
  std::string MessagePrefix(std::int64_t user, const std::string& lang);
  std::string AddFile(const std::string& bytes, std::int64_t declared_size, std::string* unique_id);
  void HandleMethod(const httplib::Request& req, httplib::Response& res);
  void HandleFile(const httplib::Request& req, httplib::Response& res);
  void GetUpdates(const std::map<std::string, std::string>& params, httplib::Response& res);

  std::string token_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool stopping_ = false;
  bool outage_ = false;
  std::size_t outage_failures_ = 0;
  std::int64_t next_update_id_ = 1000;
  std::int64_t next_message_id_ = 1;
  std::int64_t next_file_ = 1;
  std::int64_t confirmed_ = 0;  ///< updates below this id are gone
  std::vector<std::pair<std::int64_t, std::string>> updates_;
  std::map<std::string, File> files_;
  std::vector<SentMessage> messages_;
  std::vector<SentPhoto> photos_;
  std::size_t callback_answers_ = 0;
  std::size_t downloads_ = 0;
  std::size_t get_file_calls_ = 0;
  std::size_t wrong_token_ = 0;
  std::vector<std::int64_t> poll_offsets_;
  std::map<std::int64_t, int> deliveries_;
};

}  // namespace faltrain_bot_test
