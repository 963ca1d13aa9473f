#include "telegram_types.hpp"

#include <simdjson.h>

namespace faltrain_bot {
namespace {

using simdjson::dom::element;

std::string Str(element e, const char* key) {
  std::string_view v;
  if (e[key].get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

std::int64_t Int(element e, const char* key) {
  std::int64_t v = 0;
  if (e[key].get(v) != simdjson::SUCCESS) return 0;
  return v;
}

bool Has(element e, const char* key) {
  element child;
  return e[key].get(child) == simdjson::SUCCESS;
}

TelegramUser ParseUser(element e) {
  TelegramUser user;
  user.id = Int(e, "id");
  bool is_bot = false;
  if (e["is_bot"].get(is_bot) == simdjson::SUCCESS) user.is_bot = is_bot;
  user.first_name = Str(e, "first_name");
  user.username = Str(e, "username");
  user.language_code = Str(e, "language_code");
  return user;
}

Message ParseMessage(element e) {
  Message m;
  m.message_id = Int(e, "message_id");
  element chat, from, photos, doc;
  if (e["chat"].get(chat) == simdjson::SUCCESS) m.chat_id = Int(chat, "id");
  if (e["from"].get(from) == simdjson::SUCCESS) m.from = ParseUser(from);
  m.text = Str(e, "text");
  m.caption = Str(e, "caption");
  m.media_group_id = Str(e, "media_group_id");
  simdjson::dom::array photo_array;
  if (e["photo"].get(photo_array) == simdjson::SUCCESS) {
    for (element p : photo_array) {
      PhotoSize size;
      size.file_id = Str(p, "file_id");
      size.file_unique_id = Str(p, "file_unique_id");
      size.width = static_cast<int>(Int(p, "width"));
      size.height = static_cast<int>(Int(p, "height"));
      size.file_size = Int(p, "file_size");
      if (!size.file_id.empty()) m.photo.push_back(std::move(size));
    }
  }
  if (e["document"].get(doc) == simdjson::SUCCESS) {
    Document d;
    d.file_id = Str(doc, "file_id");
    d.file_unique_id = Str(doc, "file_unique_id");
    d.file_name = Str(doc, "file_name");
    d.mime_type = Str(doc, "mime_type");
    d.file_size = Int(doc, "file_size");
    if (!d.file_id.empty()) m.document = std::move(d);
  }
  for (const char* key : {"sticker", "video", "video_note", "voice", "audio", "animation",
                          "location", "contact", "poll", "dice"}) {
    if (Has(e, key)) m.has_other_media = true;
  }
  return m;
}

CallbackQuery ParseCallback(element e) {
  CallbackQuery q;
  q.id = Str(e, "id");
  element from, message, chat;
  if (e["from"].get(from) == simdjson::SUCCESS) q.from = ParseUser(from);
  if (e["message"].get(message) == simdjson::SUCCESS &&
      message["chat"].get(chat) == simdjson::SUCCESS) {
    q.chat_id = Int(chat, "id");
  }
  q.data = Str(e, "data");
  return q;
}

// The `result` member of an ok answer.
faltrain::result<element> OkResult(simdjson::dom::parser& parser, std::string_view body) {
  element doc;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) {
    return faltrain::fail(faltrain::errc::malformed_response, "Bot API answer is not JSON");
  }
  bool ok = false;
  element result;
  if (doc["ok"].get(ok) != simdjson::SUCCESS || !ok ||
      doc["result"].get(result) != simdjson::SUCCESS) {
    return faltrain::fail(faltrain::errc::malformed_response, "Bot API answer without ok result");
  }
  return result;
}

}  // namespace

faltrain::result<std::vector<Update>> ParseUpdates(std::string_view body) {
  simdjson::dom::parser parser;
  FALTRAIN_TRY(element result, OkResult(parser, body));
  simdjson::dom::array items;
  if (result.get(items) != simdjson::SUCCESS) {
    return faltrain::fail(faltrain::errc::malformed_response, "getUpdates result is not an array");
  }
  std::vector<Update> updates;
  for (element item : items) {
    Update u;
    if (item["update_id"].get(u.update_id) != simdjson::SUCCESS) continue;  // cannot even skip it
    element message, callback;
    if (item["message"].get(message) == simdjson::SUCCESS) u.message = ParseMessage(message);
    if (item["callback_query"].get(callback) == simdjson::SUCCESS) {
      u.callback_query = ParseCallback(callback);
    }
    updates.push_back(std::move(u));
  }
  return updates;
}

faltrain::result<TelegramFile> ParseFile(std::string_view body) {
  simdjson::dom::parser parser;
  FALTRAIN_TRY(element result, OkResult(parser, body));
  TelegramFile file;
  file.file_id = Str(result, "file_id");
  file.file_unique_id = Str(result, "file_unique_id");
  file.file_size = Int(result, "file_size");
  file.file_path = Str(result, "file_path");
  return file;
}

faltrain::result<std::int64_t> ParseSentMessageId(std::string_view body) {
  simdjson::dom::parser parser;
  FALTRAIN_TRY(element result, OkResult(parser, body));
  return Int(result, "message_id");
}

bool ParseOk(std::string_view body, int http_status, ApiFailure& failure) {
  simdjson::dom::parser parser;
  element doc;
  failure = ApiFailure{};
  failure.error_code = http_status;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) {
    failure.description = "HTTP " + std::to_string(http_status) + " (not a Bot API answer)";
    return false;
  }
  bool ok = false;
  if (doc["ok"].get(ok) == simdjson::SUCCESS && ok) return true;
  if (std::int64_t code = Int(doc, "error_code"); code != 0) failure.error_code = static_cast<int>(code);
  failure.description = Str(doc, "description");
  element parameters;
  if (doc["parameters"].get(parameters) == simdjson::SUCCESS) {
    std::int64_t retry_after = 0;
    if (parameters["retry_after"].get(retry_after) == simdjson::SUCCESS) {
      failure.retry_after = static_cast<int>(retry_after);
    }
  }
  return false;
}

}  // namespace faltrain_bot
