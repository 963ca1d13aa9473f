#pragma once
// A Bot API client over faltrain's `Transport` (CurlTransport in production), so the bot and the SDK
// share one HTTP stack. The token lives only inside request URLs; every error message leaving this
// class has it replaced by "<token>".

#include "telegram_types.hpp"

#include <faltrain/client/result.hpp>
#include <faltrain/client/transport.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace faltrain_bot {

struct InlineButton {
  std::string text;
  std::string callback_data;  ///< at most 64 bytes (Telegram's limit)
};
/// Rows of buttons.
using InlineKeyboard = std::vector<std::vector<InlineButton>>;

struct TelegramApiOptions {
  std::string token;
  std::string base_url = "https://api.telegram.org";  ///< TELEGRAM_API_URL
  /// Attempts for a send (sendMessage, sendPhoto, ...) that fails with a transport error, 429 or
  /// 5xx, and the cap on the backoff between them. getUpdates is never retried here: the poll
  /// loop just polls again.
  int send_attempts = 6;
  std::chrono::milliseconds max_backoff{std::chrono::seconds(10)};
};

class TelegramApi {
 public:
  TelegramApi(std::shared_ptr<faltrain::Transport> transport, TelegramApiOptions options);

  /// Long-polls for updates from `offset` (confirming everything before it), waiting up to
  /// `timeout` on the server.
  faltrain::result<std::vector<Update>> GetUpdates(std::int64_t offset, std::chrono::seconds timeout);
  /// Returns the sent message's id.
  faltrain::result<std::int64_t> SendMessage(std::int64_t chat_id, std::string_view text,
                                             const InlineKeyboard& keyboard = {});
  faltrain::result<void> AnswerCallbackQuery(std::string_view callback_query_id,
                                             std::string_view text = {});
  faltrain::result<TelegramFile> GetFile(std::string_view file_id);
  /// Downloads a file by its getFile path; fails with payload_too_large past `max_bytes`.
  faltrain::result<std::string> DownloadFile(std::string_view file_path, std::size_t max_bytes);
  /// Telegram fetches the photo from `url` itself.
  faltrain::result<void> SendPhotoUrl(std::int64_t chat_id, std::string_view url,
                                      std::string_view caption);
  /// Uploads the photo's bytes (multipart/form-data).
  faltrain::result<void> SendPhotoBytes(std::int64_t chat_id, std::string_view bytes,
                                        std::string_view file_name, std::string_view content_type,
                                        std::string_view caption);

  /// `text` with every occurrence of the token replaced by "<token>".
  std::string Redact(std::string_view text) const;

 private:
  faltrain::result<std::string> Call(std::string_view method, std::string body,
                                     std::string content_type, std::chrono::milliseconds timeout,
                                     bool retry);
  std::string MethodUrl(std::string_view method) const;

  std::shared_ptr<faltrain::Transport> transport_;
  TelegramApiOptions options_;
};

/// The inline keyboard as Bot API `reply_markup` JSON.
std::string KeyboardJson(const InlineKeyboard& keyboard);

}  // namespace faltrain_bot
