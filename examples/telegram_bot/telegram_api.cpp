#include "telegram_api.hpp"

#include "multipart.hpp"

#include <faltrain/client/json_writer.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace faltrain_bot {
namespace {

using faltrain::errc;
using faltrain::HttpMethod;
using faltrain::HttpRequest;

constexpr std::chrono::seconds kSendTimeout{60};

errc CodeForStatus(int status) {
  if (status == 401 || status == 403) return errc::unauthorized;
  if (status == 404) return errc::not_found;
  if (status == 413) return errc::payload_too_large;
  if (status == 429) return errc::rate_limited;
  if (status >= 500) return errc::server_error;
  return errc::http_error;
}

}  // namespace

std::string KeyboardJson(const InlineKeyboard& keyboard) {
  faltrain::JsonWriter w;
  w.BeginObject().Key("inline_keyboard").BeginArray();
  for (const auto& row : keyboard) {
    w.BeginArray();
    for (const auto& button : row) {
      w.BeginObject().Field("text", button.text).Field("callback_data", button.callback_data).EndObject();
    }
    w.EndArray();
  }
  return std::move(w.EndArray().EndObject()).str();
}

TelegramApi::TelegramApi(std::shared_ptr<faltrain::Transport> transport, TelegramApiOptions options)
    : transport_(std::move(transport)), options_(std::move(options)) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
}

std::string TelegramApi::Redact(std::string_view text) const {
  std::string out(text);
  if (options_.token.empty()) return out;
  for (std::size_t pos = out.find(options_.token); pos != std::string::npos;
       pos = out.find(options_.token, pos)) {
    out.replace(pos, options_.token.size(), "<token>");
  }
  return out;
}

std::string TelegramApi::MethodUrl(std::string_view method) const {
  return fmt::format("{}/bot{}/{}", options_.base_url, options_.token, method);
}

faltrain::result<std::string> TelegramApi::Call(std::string_view method, std::string body,
                                                std::string content_type,
                                                std::chrono::milliseconds timeout, bool retry) {
  HttpRequest request;
  request.method = HttpMethod::kPost;
  request.url = MethodUrl(method);
  request.headers.Set("Content-Type", std::move(content_type));
  request.body = std::move(body);
  request.timeout = timeout;

  std::chrono::milliseconds backoff{500};
  for (int attempt = 1;; ++attempt) {
    faltrain::error failure;
    auto response = transport_->Send(request);
    if (!response) {
      failure = response.error();
      failure.message = Redact(fmt::format("{}: {}", method, failure.message));
      failure.retryable = failure.code != errc::payload_too_large;
    } else {
      ApiFailure api;
      if (ParseOk(response.value().body, response.value().status, api)) {
        return std::move(response.value().body);
      }
      failure = faltrain::error(CodeForStatus(api.error_code),
                                Redact(fmt::format("{}: Telegram error {}: {}", method,
                                                   api.error_code, api.description)));
      failure.http_status = api.error_code;
      failure.retryable = api.error_code == 429 || api.error_code >= 500;
      if (api.retry_after) failure.retry_after = std::chrono::seconds(*api.retry_after);
    }
    if (!retry || !failure.retryable || attempt >= options_.send_attempts) {
      return faltrain::fail(std::move(failure));
    }
    auto delay = failure.retry_after ? std::chrono::duration_cast<std::chrono::milliseconds>(
                                           *failure.retry_after)
                                     : backoff;
    std::this_thread::sleep_for(std::min(delay, options_.max_backoff));
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

faltrain::result<std::vector<Update>> TelegramApi::GetUpdates(std::int64_t offset,
                                                              std::chrono::seconds timeout) {
  std::string body = faltrain::JsonWriter().BeginObject()
                         .Field("offset", offset)
                         .Field("timeout", timeout.count())
                         .Key("allowed_updates").Raw(R"(["message","callback_query"])")
                         .EndObject().str();
  // The server holds the request for `timeout`; allow for the network on top.
  FALTRAIN_TRY(std::string answer, Call("getUpdates", std::move(body), "application/json",
                                        timeout + std::chrono::seconds(15), false));
  return ParseUpdates(answer);
}

faltrain::result<std::int64_t> TelegramApi::SendMessage(std::int64_t chat_id, std::string_view text,
                                                        const InlineKeyboard& keyboard) {
  faltrain::JsonWriter body;
  body.BeginObject();
  body.Field("chat_id", chat_id).Field("text", text);
  if (!keyboard.empty()) body.Key("reply_markup").Raw(KeyboardJson(keyboard));
  FALTRAIN_TRY(std::string answer,
               Call("sendMessage", body.EndObject().str(), "application/json", kSendTimeout, true));
  return ParseSentMessageId(answer);
}

faltrain::result<void> TelegramApi::AnswerCallbackQuery(std::string_view callback_query_id,
                                                        std::string_view text) {
  faltrain::JsonWriter body;
  body.BeginObject();
  body.Field("callback_query_id", callback_query_id);
  if (!text.empty()) body.Field("text", text);
  FALTRAIN_TRYV(Call("answerCallbackQuery", body.EndObject().str(), "application/json", kSendTimeout, true));
  return faltrain::success();
}

faltrain::result<TelegramFile> TelegramApi::GetFile(std::string_view file_id) {
  const std::string body = faltrain::JsonWriter().BeginObject().Field("file_id", file_id).EndObject().str();
  FALTRAIN_TRY(std::string answer, Call("getFile", body, "application/json", kSendTimeout, true));
  return ParseFile(answer);
}

faltrain::result<std::string> TelegramApi::DownloadFile(std::string_view file_path,
                                                        std::size_t max_bytes) {
  HttpRequest request;
  request.method = HttpMethod::kGet;
  request.url = fmt::format("{}/file/bot{}/{}", options_.base_url, options_.token, file_path);
  request.timeout = std::chrono::seconds(120);
  auto response = transport_->Send(request);
  if (!response) {
    auto failure = response.error();
    failure.message = Redact("file download: " + failure.message);
    return faltrain::fail(std::move(failure));
  }
  if (response.value().status != 200) {
    faltrain::error failure(CodeForStatus(response.value().status),
                            fmt::format("file download: HTTP {}", response.value().status));
    failure.http_status = response.value().status;
    return faltrain::fail(std::move(failure));
  }
  if (response.value().body.size() > max_bytes) {
    return faltrain::fail(errc::payload_too_large,
                          fmt::format("file download: {} bytes, over the {} byte limit",
                                      response.value().body.size(), max_bytes));
  }
  return std::move(response.value().body);
}

faltrain::result<void> TelegramApi::SendPhotoUrl(std::int64_t chat_id, std::string_view url,
                                                 std::string_view caption) {
  faltrain::JsonWriter body;
  body.BeginObject();
  body.Field("chat_id", chat_id).Field("photo", url);
  if (!caption.empty()) body.Field("caption", caption);
  FALTRAIN_TRYV(Call("sendPhoto", body.EndObject().str(), "application/json", kSendTimeout, true));
  return faltrain::success();
}

faltrain::result<void> TelegramApi::SendPhotoBytes(std::int64_t chat_id, std::string_view bytes,
                                                   std::string_view file_name,
                                                   std::string_view content_type,
                                                   std::string_view caption) {
  MultipartBody body;
  body.AddField("chat_id", std::to_string(chat_id));
  if (!caption.empty()) body.AddField("caption", caption);
  body.AddFile("photo", file_name, content_type, bytes);
  FALTRAIN_TRYV(Call("sendPhoto", body.Finish(), body.ContentType(), kSendTimeout, true));
  return faltrain::success();
}

}  // namespace faltrain_bot
