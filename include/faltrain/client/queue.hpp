#pragma once
// fal's queue API vocabulary: endpoint ids and their URLs, request handles, statuses, cancel outcomes,
// and the per-submission queue options.

#include <faltrain/client/result.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faltrain {
inline namespace v1 {

/// An endpoint id split by fal's rules: "fal-ai/flux-lora/image-to-image" → owner "fal-ai",
/// alias "flux-lora", path "image-to-image"; "workflows/u/app" keeps namespace "workflows";
/// a legacy "123-name" becomes owner "123", alias "name".
struct EndpointId {
  std::string ns;     ///< "workflows", "comfy" or empty
  std::string owner;
  std::string alias;
  std::string path;   ///< sub-path, kept on submit only

  static result<EndpointId> Parse(std::string_view id);
  /// The full id as submitted (with sub-path).
  std::string Full() const;
  /// "[ns/]owner/alias": the base of status, result and cancel URLs.
  std::string App() const;
};

/// Everything needed to find a request again, e.g. after a restart. Persist it with `ToJson`.
struct RequestHandle {
  std::string endpoint_id;
  std::string request_id;
  std::string gateway_request_id;
  std::string status_url;    ///< as returned by submit, else built from the endpoint id
  std::string response_url;
  std::string cancel_url;
  std::optional<int> queue_position;  ///< at submission

  std::string ToJson() const;
  /// Reads what `ToJson` wrote.
  static result<RequestHandle> Parse(std::string_view json);
};

enum class RequestPhase {
  kInQueue,
  kInProgress,
  kCompleted,
  kUnknown,  ///< a status this library does not know; treated as terminal (fetch the result)
};
/// fal's status text: "IN_QUEUE", "IN_PROGRESS", "COMPLETED", "UNKNOWN".
std::string_view to_string(RequestPhase p) noexcept;
/// The inverse of `to_string(RequestPhase)`; case-insensitive.
result<RequestPhase> ParseRequestPhase(std::string_view text);

struct LogEntry {
  std::string message;
  std::string level;      ///< INFO, WARN, ERROR, STDOUT, STDERR, DEBUG (or `labels.level`)
  std::string source;     ///< e.g. USER
  std::string timestamp;  ///< ISO-8601 as sent
};

struct RequestStatus {
  RequestPhase phase = RequestPhase::kUnknown;
  std::string status_text;            ///< the raw `status` string
  std::string request_id;
  std::optional<int> queue_position;
  std::vector<LogEntry> logs;         ///< all logs so far (when requested)
  std::optional<double> inference_time;
  std::string error;                  ///< set when a completed request failed
  std::string error_type;
  int http_status = 0;                ///< 202 while pending, 200 when completed

  bool terminal() const { return phase == RequestPhase::kCompleted || phase == RequestPhase::kUnknown; }
};

enum class CancelOutcome {
  kRequested,         ///< 202 CANCELLATION_REQUESTED: it may still run if it was about to start
  kAlreadyCompleted,  ///< 400 ALREADY_COMPLETED: nothing to cancel
  kCancelled,         ///< OK: cancelled
};
/// fal's cancel status text: "CANCELLATION_REQUESTED", "ALREADY_COMPLETED", "OK".
std::string_view to_string(CancelOutcome c) noexcept;
/// The inverse of `to_string(CancelOutcome)`; case-insensitive.
result<CancelOutcome> ParseCancelOutcome(std::string_view text);

/// fal's queue priority (`X-Fal-Queue-Priority`).
enum class QueuePriority {
  kNormal,  ///< "normal"
  kLow,     ///< "low": runs when capacity is idle
};
/// "normal" / "low", as sent in `X-Fal-Queue-Priority`.
std::string_view to_string(QueuePriority p) noexcept;
/// The inverse of `to_string(QueuePriority)`; case-insensitive.
result<QueuePriority> ParseQueuePriority(std::string_view text);

/// Options of one submission; all map to fal's queue headers or query.
struct SubmitOptions {
  /// Webhook for this request (`fal_webhook`); empty uses `ClientOptions::webhook_url`.
  std::string webhook_url;
  /// Send no webhook at all, even when `ClientOptions::webhook_url` is set (e.g. for generations
  /// that are not tracked jobs).
  bool no_webhook = false;
  QueuePriority priority = QueuePriority::kNormal;       ///< X-Fal-Queue-Priority
  std::optional<std::chrono::seconds> start_timeout;     ///< X-Fal-Request-Timeout (> 1 s)
  bool no_server_retry = false;                          ///< X-Fal-No-Retry
  std::string object_lifecycle_json;                     ///< X-Fal-Object-Lifecycle-Preference
  std::string runner_hint;                               ///< X-Fal-Runner-Hint
  bool store_io = true;                                  ///< false sends X-Fal-Store-IO: 0
  /// Test mode only: names the avatar so request ids read `test_<avatar>_<hex>`.
  std::string avatar_id;
};

}  // namespace v1
}  // namespace faltrain
