#include "telegram_standin.hpp"

#include <faltrain/client/json_writer.hpp>

#include <fmt/format.h>
#include <simdjson.h>

#include <stdexcept>

namespace faltrain_bot_test {
namespace {

using faltrain::JsonQuote;
using faltrain::JsonWriter;

// A writer with its object opened: `Object().Field("a", 1).EndObject().str()`.
JsonWriter Object() {
  JsonWriter w;
  w.BeginObject();
  return w;
}

constexpr const char* kOutageBody =
    "<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>";

void Json(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "application/json");
}

void Fail(httplib::Response& res, int code, const std::string& description) {
  Json(res, code,
       Object().Field("ok", false).Field("error_code", code).Field("description", description).EndObject().str());
}

// Top-level parameters of a Bot API call, whichever way they were sent.
std::map<std::string, std::string> Params(const httplib::Request& req, std::string* photo_type) {
  std::map<std::string, std::string> params;
  if (req.is_multipart_form_data()) {
    for (const auto& [name, part] : req.files) {
      params[name] = part.content;
      if (name == "photo" && photo_type) *photo_type = part.content_type;
    }
    return params;
  }
  if (req.get_header_value("Content-Type").rfind("application/json", 0) == 0) {
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    if (parser.parse(req.body.data(), req.body.size()).get(object) != simdjson::SUCCESS) return params;
    for (auto field : object) {
      std::string key(field.key);
      std::string_view text;
      if (field.value.get(text) == simdjson::SUCCESS) {
        params[key] = std::string(text);
      } else {
        params[key] = simdjson::minify(field.value);
      }
    }
    return params;
  }
  for (const auto& [name, value] : req.params) params[name] = value;
  return params;
}

std::int64_t ToInt(const std::map<std::string, std::string>& params, const char* key, std::int64_t fallback) {
  auto it = params.find(key);
  if (it == params.end() || it->second.empty()) return fallback;
  return std::stoll(it->second);
}

}  // namespace

TelegramStandin::TelegramStandin(std::string token) : token_(std::move(token)) {
  server_.set_tcp_nodelay(true);
  server_.set_keep_alive_max_count(100000);
  server_.Post(R"(/bot([^/]+)/([A-Za-z]+))",
               [this](const httplib::Request& req, httplib::Response& res) { HandleMethod(req, res); });
  server_.Get(R"(/file/bot([^/]+)/(.+))",
              [this](const httplib::Request& req, httplib::Response& res) { HandleFile(req, res); });
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("stand-in: cannot bind 127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

TelegramStandin::~TelegramStandin() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string TelegramStandin::url() const { return fmt::format("http://127.0.0.1:{}", port_); }

std::string TelegramStandin::UserJson(std::int64_t user, const std::string& lang) const {
  return Object()
      .Field("id", user)
      .Field("is_bot", false)
      .Field("first_name", fmt::format("User{}", user))
      .Field("language_code", lang)
      .EndObject().str();
}

// The common head of a private-chat message object (without the closing brace).
std::string TelegramStandin::MessagePrefix(std::int64_t user, const std::string& lang) {
  std::int64_t message_id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    message_id = next_message_id_++;
  }
  std::string chat = Object().Field("id", user).Field("type", "private").EndObject().str();
  std::string head = Object()
                         .Field("message_id", message_id)
                         .Field("date", 1767225600)
                         .Key("from").Raw(UserJson(user, lang))
                         .Key("chat").Raw(chat)
                         .EndObject().str();
  head.pop_back();  // reopen the object
  return head;
}

std::int64_t TelegramStandin::Enqueue(const std::string& update_body) {
  std::lock_guard<std::mutex> lock(mu_);
  std::int64_t id = next_update_id_++;
  updates_.emplace_back(id, update_body);
  cv_.notify_all();
  return id;
}

std::string TelegramStandin::AddFile(const std::string& bytes, std::int64_t declared_size,
                                     std::string* unique_id) {
  std::lock_guard<std::mutex> lock(mu_);
  File f;
  std::int64_t n = next_file_++;
  f.file_id = fmt::format("file-{}-{}", n, bytes.size());
  f.unique_id = fmt::format("uniq{}", n);
  f.bytes = bytes;
  f.declared_size = declared_size < 0 ? static_cast<std::int64_t>(bytes.size()) : declared_size;
  *unique_id = f.unique_id;
  std::string id = f.file_id;
  files_[id] = std::move(f);
  return id;
}

std::int64_t TelegramStandin::PushText(std::int64_t user, const std::string& text, const std::string& lang) {
  std::string message = MessagePrefix(user, lang) + "," + JsonQuote("text") + ":" + JsonQuote(text) + "}";
  return Enqueue("\"message\":" + message);
}

std::int64_t TelegramStandin::PushPhoto(std::int64_t user, const std::string& bytes,
                                        const std::string& media_group, const std::string& lang) {
  std::string thumb_unique, unique;
  std::string thumb = AddFile(bytes, -1, &thumb_unique);
  std::string full = AddFile(bytes, -1, &unique);
  auto size = [&](const std::string& id, const std::string& u, int side) {
    return Object().Field("file_id", id).Field("file_unique_id", u).Field("width", side)
        .Field("height", side).Field("file_size", static_cast<std::int64_t>(bytes.size())).EndObject().str();
  };
  std::string message = MessagePrefix(user, lang) + ",\"photo\":[" + size(thumb, thumb_unique, 90) + "," +
                        size(full, unique, 8) + "]";
  if (!media_group.empty()) message += ",\"media_group_id\":" + JsonQuote(media_group);
  return Enqueue("\"message\":" + message + "}");
}

std::int64_t TelegramStandin::PushDocument(std::int64_t user, const std::string& bytes,
                                           const std::string& file_name, const std::string& mime,
                                           std::int64_t declared_size, const std::string& lang) {
  std::string unique;
  std::string id = AddFile(bytes, declared_size, &unique);
  std::string doc = Object().Field("file_id", id).Field("file_unique_id", unique)
                        .Field("file_name", file_name).Field("mime_type", mime)
                        .Field("file_size", declared_size < 0 ? static_cast<std::int64_t>(bytes.size())
                                                            : declared_size)
                        .EndObject().str();
  return Enqueue("\"message\":" + MessagePrefix(user, lang) + ",\"document\":" + doc + "}");
}

std::int64_t TelegramStandin::PushSticker(std::int64_t user, const std::string& lang) {
  std::string sticker = Object().Field("file_id", "sticker-1").Field("file_unique_id", "st1")
                            .Field("width", 512).Field("height", 512).EndObject().str();
  return Enqueue("\"message\":" + MessagePrefix(user, lang) + ",\"sticker\":" + sticker + "}");
}

std::int64_t TelegramStandin::PushCallback(std::int64_t user, const std::string& data,
                                           const std::string& lang) {
  std::string message = MessagePrefix(user, lang) + ",\"text\":\"(keyboard)\"}";
  std::string query;
  {
    std::lock_guard<std::mutex> lock(mu_);
    query = Object().Field("id", fmt::format("cbq-{}", next_update_id_)).EndObject().str();
  }
  query.pop_back();
  query += ",\"from\":" + UserJson(user, lang) + ",\"message\":" + message +
           ",\"chat_instance\":\"1\",\"data\":" + JsonQuote(data) + "}";
  return Enqueue("\"callback_query\":" + query);
}

void TelegramStandin::HandleMethod(const httplib::Request& req, httplib::Response& res) {
  if (req.matches[1] != token_) {
    std::lock_guard<std::mutex> lock(mu_);
    ++wrong_token_;
    Fail(res, 401, "Unauthorized");
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (outage_) {
      ++outage_failures_;
      res.status = 502;
      res.set_content(kOutageBody, "text/html");
      return;
    }
  }
  std::string method = req.matches[2];
  std::string photo_type;
  auto params = Params(req, &photo_type);
  if (method == "getUpdates") {
    GetUpdates(params, res);
  } else if (method == "sendMessage") {
    std::lock_guard<std::mutex> lock(mu_);
    SentMessage m;
    m.chat_id = ToInt(params, "chat_id", 0);
    m.message_id = next_message_id_++;
    m.text = params["text"];
    m.reply_markup = params.count("reply_markup") ? params["reply_markup"] : "";
    if (m.chat_id == 0 || m.text.empty()) {
      Fail(res, 400, "Bad Request: message text is empty");
      return;
    }
    messages_.push_back(m);
    cv_.notify_all();
    Json(res, 200, fmt::format(R"({{"ok":true,"result":{{"message_id":{},"date":1767225600,"chat":{{"id":{},"type":"private"}},"text":{}}}}})",
                               m.message_id, m.chat_id, JsonQuote(m.text)));
  } else if (method == "answerCallbackQuery") {
    std::lock_guard<std::mutex> lock(mu_);
    ++callback_answers_;
    Json(res, 200, R"({"ok":true,"result":true})");
  } else if (method == "getFile") {
    std::lock_guard<std::mutex> lock(mu_);
    ++get_file_calls_;
    auto it = files_.find(params["file_id"]);
    if (it == files_.end()) {
      Fail(res, 400, "Bad Request: invalid file_id");
      return;
    }
    faltrain::JsonWriter file;
    file.BeginObject().Field("file_id", it->second.file_id).Field("file_unique_id", it->second.unique_id)
        .Field("file_size", it->second.declared_size);
    // Like Telegram: no download path for files over 20 MB.
    if (it->second.declared_size <= (20 << 20)) file.Field("file_path", "documents/" + it->second.file_id);
    Json(res, 200,
         Object().Field("ok", true).Key("result").Raw(file.EndObject().str()).EndObject().str());
  } else if (method == "sendPhoto") {
    std::lock_guard<std::mutex> lock(mu_);
    SentPhoto p;
    p.chat_id = ToInt(params, "chat_id", 0);
    p.caption = params["caption"];
    if (req.is_multipart_form_data()) {
      p.bytes = params["photo"];
      p.content_type = photo_type;
    } else {
      p.url = params["photo"];
    }
    if (p.chat_id == 0 || (p.bytes.empty() && p.url.empty())) {
      Fail(res, 400, "Bad Request: there is no photo in the request");
      return;
    }
    photos_.push_back(p);
    cv_.notify_all();
    Json(res, 200, fmt::format(R"({{"ok":true,"result":{{"message_id":{},"date":1767225600,"chat":{{"id":{},"type":"private"}},"photo":[]}}}})",
                               next_message_id_++, p.chat_id));
  } else {
    Fail(res, 404, "Not Found");
  }
}

void TelegramStandin::GetUpdates(const std::map<std::string, std::string>& params, httplib::Response& res) {
  std::int64_t offset = ToInt(params, "offset", 0);
  std::int64_t timeout = std::min<std::int64_t>(ToInt(params, "timeout", 0), 50);
  std::unique_lock<std::mutex> lock(mu_);
  poll_offsets_.push_back(offset);
  // An offset confirms every update before it: they are never sent again.
  if (offset > confirmed_) confirmed_ = offset;
  while (!updates_.empty() && updates_.front().first < confirmed_) updates_.erase(updates_.begin());
  cv_.wait_for(lock, std::chrono::seconds(timeout), [this] { return stopping_ || outage_ || !updates_.empty(); });
  std::string result = "[";
  int n = 0;
  for (const auto& [id, body] : updates_) {
    if (n == 100) break;
    if (n++ > 0) result += ",";
    result += fmt::format("{{\"update_id\":{},{}}}", id, body);
    ++deliveries_[id];
  }
  result += "]";
  Json(res, 200, Object().Field("ok", true).Key("result").Raw(result).EndObject().str());
}

void TelegramStandin::HandleFile(const httplib::Request& req, httplib::Response& res) {
  std::lock_guard<std::mutex> lock(mu_);
  if (req.matches[1] != token_) {
    ++wrong_token_;
    res.status = 401;
    return;
  }
  if (outage_) {
    ++outage_failures_;
    res.status = 502;
    res.set_content(kOutageBody, "text/html");
    return;
  }
  std::string path = req.matches[2];
  auto slash = path.rfind('/');
  auto it = files_.find(slash == std::string::npos ? path : path.substr(slash + 1));
  if (it == files_.end()) {
    res.status = 404;
    return;
  }
  ++downloads_;
  res.set_content(it->second.bytes, "application/octet-stream");
}

std::vector<SentMessage> TelegramStandin::Messages(std::int64_t chat) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<SentMessage> out;
  for (const auto& m : messages_) {
    if (m.chat_id == chat) out.push_back(m);
  }
  return out;
}

std::vector<SentPhoto> TelegramStandin::Photos(std::int64_t chat) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<SentPhoto> out;
  for (const auto& p : photos_) {
    if (p.chat_id == chat) out.push_back(p);
  }
  return out;
}

void TelegramStandin::WaitForActivity(std::function<bool()> done, std::chrono::seconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(100));
  }
}

std::size_t TelegramStandin::CallbackAnswers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return callback_answers_;
}

std::size_t TelegramStandin::Downloads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return downloads_;
}

std::size_t TelegramStandin::GetFileCalls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return get_file_calls_;
}

std::vector<std::int64_t> TelegramStandin::PollOffsets() const {
  std::lock_guard<std::mutex> lock(mu_);
  return poll_offsets_;
}

std::map<std::int64_t, int> TelegramStandin::Deliveries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return deliveries_;
}

std::size_t TelegramStandin::WrongTokenRequests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return wrong_token_;
}

void TelegramStandin::SetOutage(bool on) {
  std::lock_guard<std::mutex> lock(mu_);
  outage_ = on;
  cv_.notify_all();
}

std::size_t TelegramStandin::OutageFailures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return outage_failures_;
}

}  // namespace faltrain_bot_test
