#include "client/detail/queue_protocol.hpp"

#include "client/detail/http_error.hpp"
#include "client/detail/json_reader.hpp"
#include "client/detail/url.hpp"

#include <fmt/format.h>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

error Malformed(const HttpResponse& response, std::string_view what) {
  error e(errc::malformed_response, std::string(what) + ": " + BodySnippet(response.body));
  e.http_status = response.status;
  e.request_id = std::string(response.headers.Get("x-fal-request-id"));
  return e;
}

RequestPhase PhaseFromText(std::string_view s) {
  if (s == "IN_QUEUE") return RequestPhase::kInQueue;
  if (s == "IN_PROGRESS") return RequestPhase::kInProgress;
  if (s == "COMPLETED") return RequestPhase::kCompleted;
  return RequestPhase::kUnknown;
}

LogEntry ParseLogEntry(od::object o) {
  LogEntry entry;
  for (auto field : o) {
    std::string_view key;
    od::value v;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS || field.value().get(v) != simdjson::SUCCESS) {
      break;
    }
    if (key == "message") {
      if (auto s = ReadString(v)) entry.message = std::move(*s);
    } else if (key == "level") {
      if (auto s = ReadString(v)) entry.level = std::move(*s);
    } else if (key == "source") {
      if (auto s = ReadString(v)) entry.source = std::move(*s);
    } else if (key == "timestamp") {
      if (auto s = ReadString(v)) entry.timestamp = std::move(*s);
    } else if (key == "labels") {
      od::object labels;
      if (v.get_object().get(labels) != simdjson::SUCCESS) continue;
      for (auto label : labels) {
        std::string_view lkey;
        od::value lv;
        if (label.unescaped_key().get(lkey) != simdjson::SUCCESS || label.value().get(lv) != simdjson::SUCCESS) {
          break;
        }
        if (lkey == "level" && entry.level.empty()) {
          if (auto s = ReadString(lv)) entry.level = std::move(*s);
        }
      }
    }
  }
  return entry;
}

}  // namespace

RequestHandle BuildHandle(std::string_view queue_base, const EndpointId& endpoint,
                          std::string_view request_id) {
  RequestHandle h;
  h.endpoint_id = endpoint.Full();
  h.request_id = std::string(request_id);
  h.response_url = JoinUrl(queue_base, endpoint.App() + "/requests/" + PercentEncode(request_id));
  h.status_url = h.response_url + "/status";
  h.cancel_url = h.response_url + "/cancel";
  return h;
}

result<RequestHandle> ParseSubmitResponse(const HttpResponse& response, std::string_view queue_base,
                                          const EndpointId& endpoint) {
  JsonDocument doc(response.body);
  od::object root;
  if (doc.error() != simdjson::SUCCESS || doc.Object().get(root) != simdjson::SUCCESS) {
    return fail(Malformed(response, "submit response is not a JSON object"));
  }
  std::string request_id, gateway_id, status_url, response_url, cancel_url;
  std::optional<int> position;
  for (auto field : root) {
    std::string_view key;
    od::value v;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS || field.value().get(v) != simdjson::SUCCESS) {
      return fail(Malformed(response, "submit response is malformed JSON"));
    }
    if (key == "request_id") {
      if (auto s = ReadString(v)) request_id = std::move(*s);
    } else if (key == "gateway_request_id") {
      if (auto s = ReadString(v)) gateway_id = std::move(*s);
    } else if (key == "status_url") {
      if (auto s = ReadString(v)) status_url = std::move(*s);
    } else if (key == "response_url") {
      if (auto s = ReadString(v)) response_url = std::move(*s);
    } else if (key == "cancel_url") {
      if (auto s = ReadString(v)) cancel_url = std::move(*s);
    } else if (key == "queue_position") {
      if (auto n = ReadInt(v)) position = static_cast<int>(*n);
    }
  }
  if (request_id.empty()) return fail(Malformed(response, "submit response has no request_id"));
  RequestHandle h = BuildHandle(queue_base, endpoint, request_id);
  // fal's returned URLs are authoritative (some end in /response); keep them when sane.
  if (IsHttpUrl(response_url)) h.response_url = std::move(response_url);
  if (IsHttpUrl(status_url)) h.status_url = std::move(status_url);
  if (IsHttpUrl(cancel_url)) h.cancel_url = std::move(cancel_url);
  h.gateway_request_id = std::move(gateway_id);
  h.queue_position = position;
  return h;
}

result<RequestStatus> ParseStatusResponse(const HttpResponse& response) {
  JsonDocument doc(response.body);
  od::object root;
  if (doc.error() != simdjson::SUCCESS || doc.Object().get(root) != simdjson::SUCCESS) {
    return fail(Malformed(response, "status response is not a JSON object"));
  }
  RequestStatus st;
  st.http_status = response.status;
  bool has_status = false;
  for (auto field : root) {
    std::string_view key;
    od::value v;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS || field.value().get(v) != simdjson::SUCCESS) {
      return fail(Malformed(response, "status response is malformed JSON"));
    }
    if (key == "status") {
      if (auto s = ReadString(v)) {
        st.status_text = std::move(*s);
        has_status = true;
      }
    } else if (key == "request_id") {
      if (auto s = ReadString(v)) st.request_id = std::move(*s);
    } else if (key == "queue_position") {
      if (auto n = ReadInt(v)) st.queue_position = static_cast<int>(*n);
    } else if (key == "error") {
      if (auto s = ReadString(v)) st.error = std::move(*s);
    } else if (key == "error_type") {
      if (auto s = ReadString(v)) st.error_type = std::move(*s);
    } else if (key == "logs") {
      od::array logs;
      if (v.get_array().get(logs) != simdjson::SUCCESS) continue;  // null or absent: no logs
      for (auto item : logs) {
        od::object o;
        if (item.get_object().get(o) != simdjson::SUCCESS) continue;
        st.logs.push_back(ParseLogEntry(o));
      }
    } else if (key == "metrics") {
      od::object metrics;
      if (v.get_object().get(metrics) != simdjson::SUCCESS) continue;
      for (auto m : metrics) {
        std::string_view mkey;
        od::value mv;
        if (m.unescaped_key().get(mkey) != simdjson::SUCCESS || m.value().get(mv) != simdjson::SUCCESS) break;
        if (mkey == "inference_time") st.inference_time = ReadDouble(mv);
      }
    }
  }
  if (!has_status) return fail(Malformed(response, "status response has no status"));
  st.phase = PhaseFromText(st.status_text);
  if (st.request_id.empty()) st.request_id = std::string(response.headers.Get("x-fal-request-id"));
  return st;
}

void WarnUnknownStatus(const LogSink& log, const RequestStatus& status) {
  if (!log) return;
  log(LogLevel::kWarning, fmt::format("request {}: unknown status \"{}\" from fal; still polling",
                                      status.request_id, BodySnippet(status.status_text)));
}

std::string ParseCancelStatus(std::string_view body) {
  JsonDocument doc(body);
  od::object root;
  if (doc.error() != simdjson::SUCCESS || doc.Object().get(root) != simdjson::SUCCESS) return {};
  for (auto field : root) {
    std::string_view key;
    od::value v;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS || field.value().get(v) != simdjson::SUCCESS) break;
    if (key == "status") {
      if (auto s = ReadString(v)) return *s;
    }
  }
  return {};
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
