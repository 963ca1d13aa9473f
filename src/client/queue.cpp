#include <faltrain/client/queue.hpp>

#include "client/detail/enum_text.hpp"
#include "client/detail/json_reader.hpp"
#include <faltrain/client/json_writer.hpp>

#include <cctype>
#include <vector>

namespace faltrain {
inline namespace v1 {
namespace {

// Splits on '/', keeping empty segments ("a//b", "a/") so that they can be rejected.
std::vector<std::string_view> SplitPath(std::string_view id) {
  std::vector<std::string_view> parts;
  for (;;) {
    auto slash = id.find('/');
    parts.push_back(id.substr(0, slash));
    if (slash == std::string_view::npos) return parts;
    id.remove_prefix(slash + 1);
  }
}

bool IsSegmentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

bool IsValidSegment(std::string_view s) {
  if (s.empty() || s == "." || s == "..") return false;
  for (char c : s) {
    if (!IsSegmentChar(c)) return false;
  }
  return true;
}

}  // namespace

result<EndpointId> EndpointId::Parse(std::string_view id) {
  auto bad = [&](std::string_view why) {
    return fail(errc::invalid_argument, "invalid endpoint id '" + std::string(id) + "': " + std::string(why));
  };
  auto parts = SplitPath(id);
  for (auto p : parts) {
    if (!IsValidSegment(p)) return bad("segments must be non-empty [A-Za-z0-9._-]");
  }
  EndpointId out;
  if (parts.size() == 1) {
    // Legacy "<number>-<name>" ids map to "<number>/<name>".
    auto dash = parts[0].find('-');
    if (dash == 0 || dash == std::string_view::npos || dash + 1 == parts[0].size()) {
      return bad("expected owner/alias");
    }
    for (std::size_t i = 0; i < dash; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(parts[0][i]))) return bad("expected owner/alias");
    }
    out.owner = std::string(parts[0].substr(0, dash));
    out.alias = std::string(parts[0].substr(dash + 1));
    return out;
  }
  std::size_t first = 0;
  if (parts[0] == "workflows" || parts[0] == "comfy") {
    if (parts.size() < 3) return bad("expected <namespace>/owner/alias");
    out.ns = std::string(parts[0]);
    first = 1;
  }
  out.owner = std::string(parts[first]);
  out.alias = std::string(parts[first + 1]);
  for (std::size_t i = first + 2; i < parts.size(); ++i) {
    if (!out.path.empty()) out.path += '/';
    out.path += parts[i];
  }
  return out;
}

std::string EndpointId::App() const {
  return (ns.empty() ? std::string() : ns + "/") + owner + "/" + alias;
}

std::string EndpointId::Full() const { return App() + (path.empty() ? std::string() : "/" + path); }

std::string RequestHandle::ToJson() const {
  JsonWriter w;
  w.BeginObject()
      .Field("endpoint_id", endpoint_id)
      .Field("request_id", request_id)
      .Field("gateway_request_id", gateway_request_id)
      .Field("status_url", status_url)
      .Field("response_url", response_url)
      .Field("cancel_url", cancel_url);
  if (queue_position) w.Field("queue_position", *queue_position);
  w.EndObject();
  return std::move(w).str();
}

result<RequestHandle> RequestHandle::Parse(std::string_view json) {
  detail::JsonDocument doc(json);
  detail::od::object root;
  if (doc.error() != simdjson::SUCCESS || doc.Object().get(root) != simdjson::SUCCESS) {
    return fail(errc::invalid_argument, "request handle is not a JSON object");
  }
  RequestHandle h;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) {
      return fail(errc::invalid_argument, "request handle JSON is malformed");
    }
    detail::od::value v;
    if (field.value().get(v) != simdjson::SUCCESS) {
      return fail(errc::invalid_argument, "request handle JSON is malformed");
    }
    auto assign = [&](std::string& dst) {
      if (auto s = detail::ReadString(v)) dst = std::move(*s);
    };
    if (key == "endpoint_id") assign(h.endpoint_id);
    else if (key == "request_id") assign(h.request_id);
    else if (key == "gateway_request_id") assign(h.gateway_request_id);
    else if (key == "status_url") assign(h.status_url);
    else if (key == "response_url") assign(h.response_url);
    else if (key == "cancel_url") assign(h.cancel_url);
    else if (key == "queue_position") {
      if (auto n = detail::ReadInt(v)) h.queue_position = static_cast<int>(*n);
    }
  }
  if (h.endpoint_id.empty() || h.request_id.empty()) {
    return fail(errc::invalid_argument, "request handle needs endpoint_id and request_id");
  }
  return h;
}

std::string_view to_string(RequestPhase p) noexcept {
  switch (p) {
    case RequestPhase::kInQueue: return "IN_QUEUE";
    case RequestPhase::kInProgress: return "IN_PROGRESS";
    case RequestPhase::kCompleted: return "COMPLETED";
    case RequestPhase::kUnknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

result<RequestPhase> ParseRequestPhase(std::string_view text) {
  return detail::ParseEnum(text, "request phase",
                           {RequestPhase::kInQueue, RequestPhase::kInProgress,
                            RequestPhase::kCompleted, RequestPhase::kUnknown});
}

std::string_view to_string(CancelOutcome c) noexcept {
  switch (c) {
    case CancelOutcome::kRequested: return "CANCELLATION_REQUESTED";
    case CancelOutcome::kAlreadyCompleted: return "ALREADY_COMPLETED";
    case CancelOutcome::kCancelled: return "OK";
  }
  return "OK";
}

result<CancelOutcome> ParseCancelOutcome(std::string_view text) {
  return detail::ParseEnum(text, "cancel outcome",
                           {CancelOutcome::kRequested, CancelOutcome::kAlreadyCompleted,
                            CancelOutcome::kCancelled});
}

std::string_view to_string(QueuePriority p) noexcept {
  return p == QueuePriority::kLow ? "low" : "normal";
}

result<QueuePriority> ParseQueuePriority(std::string_view text) {
  return detail::ParseEnum(text, "queue priority", {QueuePriority::kNormal, QueuePriority::kLow});
}

}  // namespace v1
}  // namespace faltrain
