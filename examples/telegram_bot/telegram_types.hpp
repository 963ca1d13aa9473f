#pragma once
// The parts of Bot API objects the bot uses, decoded from getUpdates / getFile answers.

#include <faltrain/client/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faltrain_bot {

struct TelegramUser {
  std::int64_t id = 0;
  bool is_bot = false;
  std::string first_name;
  std::string username;
  std::string language_code;  ///< IETF tag, e.g. "ru", "en-US"; may be empty
};

struct PhotoSize {
  std::string file_id;
  std::string file_unique_id;
  int width = 0;
  int height = 0;
  std::int64_t file_size = 0;  ///< 0 when Telegram did not say
};

struct Document {
  std::string file_id;
  std::string file_unique_id;
  std::string file_name;
  std::string mime_type;
  std::int64_t file_size = 0;
};

struct Message {
  std::int64_t message_id = 0;
  std::int64_t chat_id = 0;
  TelegramUser from;
  std::string text;
  std::string caption;
  std::string media_group_id;       ///< set for every message of an album
  std::vector<PhotoSize> photo;     ///< sizes of one photo, smallest first
  std::optional<Document> document;
  bool has_other_media = false;     ///< sticker, video, voice, ... (things the bot cannot use)
};

struct CallbackQuery {
  std::string id;
  TelegramUser from;
  std::int64_t chat_id = 0;         ///< chat of the message carrying the button (0 if unknown)
  std::string data;
};

/// One update. Kinds the bot does not ask for (or cannot decode) leave both members empty; they
/// still advance the offset.
struct Update {
  std::int64_t update_id = 0;
  std::optional<Message> message;
  std::optional<CallbackQuery> callback_query;
};

/// A getFile answer.
struct TelegramFile {
  std::string file_id;
  std::string file_unique_id;
  std::int64_t file_size = 0;
  std::string file_path;  ///< empty when Telegram cannot serve the file (over 20 MB)
};

/// An error answer: {"ok":false,"error_code":..,"description":..,"parameters":{"retry_after":..}}.
struct ApiFailure {
  int error_code = 0;
  std::string description;
  std::optional<int> retry_after;
};

/// Decodes the `result` of getUpdates. A malformed update keeps its id (so it is skipped, not
/// retried forever); a body that is not a Bot API answer at all is `errc::malformed_response`.
faltrain::result<std::vector<Update>> ParseUpdates(std::string_view body);
faltrain::result<TelegramFile> ParseFile(std::string_view body);
/// `result.message_id` of a sendMessage/sendPhoto answer.
faltrain::result<std::int64_t> ParseSentMessageId(std::string_view body);
/// Whether the answer says ok; fills `failure` otherwise (also for non-JSON bodies).
bool ParseOk(std::string_view body, int http_status, ApiFailure& failure);

}  // namespace faltrain_bot
