#include "client/detail/http_error.hpp"

#include "client/detail/json_reader.hpp"
#include "client/detail/retry_after.hpp"

#include <faltrain/client/retry.hpp>

#include <fmt/format.h>

#include <cctype>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

errc CodeForStatus(int status) {
  if (status == 401 || status == 403) return errc::unauthorized;
  if (status == 404) return errc::not_found;
  if (status == 413) return errc::payload_too_large;
  if (status == 422) return errc::validation_failed;
  if (status == 429) return errc::rate_limited;
  if (status >= 500) return errc::server_error;
  return errc::http_error;
}

bool StatusIsRetryable(int status) {
  switch (status) {
    case 408: case 409: case 429: case 500: case 502: case 503: case 504: return true;
    default: return false;
  }
}

std::optional<bool> ParseBoolHeader(std::string_view v) {
  std::string lower;
  for (char c : v) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "true" || lower == "1" || lower == "yes") return true;
  if (lower == "false" || lower == "0" || lower == "no") return false;
  return std::nullopt;
}

field_error ParseOneFieldError(od::object item) {
  field_error fe;
  for (auto field : item) {
    std::string_view key;
    od::value v;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS || field.value().get(v) != simdjson::SUCCESS) {
      break;
    }
    if (key == "msg") {
      if (auto s = ReadString(v)) fe.msg = std::move(*s);
    } else if (key == "type") {
      if (auto s = ReadString(v)) fe.type = std::move(*s);
    } else if (key == "loc") {
      od::array loc;
      if (v.get_array().get(loc) != simdjson::SUCCESS) continue;
      for (auto part : loc) {
        od::value pv;
        if (part.get(pv) != simdjson::SUCCESS) break;
        if (auto s = ReadString(pv)) {
          fe.loc.push_back(std::move(*s));
        } else if (auto raw = ReadRaw(pv)) {
          fe.loc.push_back(std::move(*raw));  // list indices are numbers
        }
      }
    }
  }
  return fe;
}

}  // namespace

std::vector<field_error> ParseFieldErrors(std::string_view detail_json) {
  std::vector<field_error> out;
  JsonDocument doc(detail_json);
  if (doc.error() != simdjson::SUCCESS) return out;
  od::json_type type;
  if (doc.doc().type().get(type) != simdjson::SUCCESS) return out;
  if (type == od::json_type::string) {
    std::string_view s;
    if (doc.doc().get_string().get(s) == simdjson::SUCCESS) {
      out.push_back(field_error{{"body"}, std::string(s), "value_error"});
    }
    return out;
  }
  od::array items;
  if (type != od::json_type::array || doc.doc().get_array().get(items) != simdjson::SUCCESS) return out;
  for (auto item : items) {
    od::object o;
    if (item.get_object().get(o) != simdjson::SUCCESS) continue;
    out.push_back(ParseOneFieldError(o));
  }
  return out;
}

std::string BodySnippet(std::string_view body) {
  constexpr std::size_t kMax = 512;
  std::string out;
  for (std::size_t i = 0; i < body.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(body[i]);
    if (c == '\n' || c == '\r' || c == '\t') {
      out += ' ';
    } else if (c < 0x20) {
      out += '?';
    } else {
      out += static_cast<char>(c);
    }
  }
  if (body.size() > kMax) out += "...";
  return out;
}

error ErrorFromResponse(const HttpResponse& response, Clock::wall_time now) {
  error e;
  e.http_status = response.status;
  e.code = CodeForStatus(response.status);
  e.request_id = std::string(response.headers.Get("x-fal-request-id"));
  e.fal_error_type = std::string(response.headers.Get("X-Fal-Error-Type"));
  e.retry_after = ParseRetryAfter(response.headers.Get("Retry-After"), now);

  std::string message;
  JsonDocument doc(response.body);
  od::object root;
  if (doc.error() == simdjson::SUCCESS && doc.Object().get(root) == simdjson::SUCCESS) {
    for (auto field : root) {
      std::string_view key;
      od::value v;
      if (field.unescaped_key().get(key) != simdjson::SUCCESS || field.value().get(v) != simdjson::SUCCESS) {
        break;
      }
      if (key == "detail") {
        if (auto s = ReadString(v)) {
          message = *s;
          if (response.status == 422) e.field_errors.push_back(field_error{{"body"}, *s, "value_error"});
        } else if (auto raw = ReadRaw(v)) {
          e.field_errors = ParseFieldErrors(*raw);
        }
      } else if (key == "error_type") {
        if (auto s = ReadString(v); s && e.fal_error_type.empty()) e.fal_error_type = std::move(*s);
      } else if ((key == "message" || key == "error") && message.empty()) {
        if (auto s = ReadString(v)) message = std::move(*s);
      } else if (key == "request_id" && e.request_id.empty()) {
        if (auto s = ReadString(v)) e.request_id = std::move(*s);
      }
    }
  }
  if (message.empty() && !e.field_errors.empty()) {
    message = fmt::format("{} field error(s)", e.field_errors.size());
  }
  if (message.empty()) message = BodySnippet(response.body);
  e.message = std::move(message);

  bool user_timeout = response.status == 504 &&
                      !response.headers.Get("X-Fal-Request-Timeout-Type").empty();
  if (user_timeout && e.fal_error_type.empty()) e.fal_error_type = kUserRequestTimeoutErrorType;
  e.retryable = StatusIsRetryable(response.status) && !user_timeout;
  for (auto name : {"X-Fal-Retryable", "X-Fal-Needs-Retry"}) {
    if (auto v = ParseBoolHeader(response.headers.Get(name))) e.retryable = *v && !user_timeout;
  }
  return e;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
