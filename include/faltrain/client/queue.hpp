#pragma once
/// @file
/// fal's queue API vocabulary: endpoint ids and their URLs, request handles, statuses, cancel outcomes,
/// and the per-submission queue options.

#include <faltrain/client/result.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace faltrain {
inline namespace v1 {

/// An endpoint id split by fal's rules: "fal-ai/flux-lora/image-to-image" → owner "fal-ai",
/// alias "flux-lora", path "image-to-image"; "workflows/u/app" keeps namespace "workflows";
/// a legacy "123-name" becomes owner "123", alias "name".
struct EndpointId {
  std::string ns;     ///< "workflows", "comfy" or empty
  std::string owner;  ///< the app's owner, e.g. "fal-ai"
  std::string alias;  ///< the app, e.g. "flux-lora"
  std::string path;   ///< sub-path, kept on submit only

  /// Splits and checks an id: segments of [A-Za-z0-9._-], at least owner/alias (or the legacy
  /// "<number>-<name>"); `errc::invalid_argument` otherwise.
  static result<EndpointId> Parse(std::string_view id);
  /// The full id as submitted (with sub-path).
  std::string Full() const;
  /// "[ns/]owner/alias": the base of status, result and cancel URLs.
  std::string App() const;
};

/// Everything needed to find a request again, e.g. after a restart. Persist it with `ToJson`.
struct RequestHandle {
  std::string endpoint_id;         ///< the endpoint submitted to, with its sub-path
  std::string request_id;          ///< fal's id of the request (required)
  std::string gateway_request_id;  ///< fal's gateway id when submit returned one, else empty
  std::string status_url;    ///< as returned by submit, else built from the endpoint id
  std::string response_url;  ///< where the result is fetched (same rule as `status_url`)
  std::string cancel_url;    ///< where a cancel is sent (same rule as `status_url`)
  std::optional<int> queue_position;  ///< at submission

  /// A JSON object with the members above (`queue_position` only when known).
  std::string ToJson() const;
  /// Reads what `ToJson` wrote.
  static result<RequestHandle> Parse(std::string_view json);
};

/// Where a queued request is, from fal's `status`.
enum class RequestPhase {
  kInQueue,     ///< IN_QUEUE: waiting for a runner (see `RequestStatus::queue_position`)
  kInProgress,  ///< IN_PROGRESS: running; logs accumulate
  kCompleted,   ///< COMPLETED: finished, successfully or not (see `RequestStatus::error`)
  kUnknown,  ///< a status this library does not know; not final: polling goes on (as fal-js does)
};
/// fal's status text: "IN_QUEUE", "IN_PROGRESS", "COMPLETED", "UNKNOWN".
std::string_view to_string(RequestPhase p) noexcept;
/// The inverse of `to_string(RequestPhase)`; case-insensitive.
result<RequestPhase> ParseRequestPhase(std::string_view text);

/// One log line of a running request.
struct LogEntry {
  std::string message;    ///< the line's text, e.g. "step 120/1000, loss 0.08"
  std::string level;      ///< INFO, WARN, ERROR, STDOUT, STDERR, DEBUG (or `labels.level`)
  std::string source;     ///< e.g. USER
  std::string timestamp;  ///< ISO-8601 as sent
};

/// One answer of fal's status endpoint.
struct RequestStatus {
  RequestPhase phase = RequestPhase::kUnknown;  ///< decoded from `status_text`
  std::string status_text;            ///< the raw `status` string
  std::string request_id;             ///< from the body, else `X-Fal-Request-Id`, else the handle's
  std::optional<int> queue_position;  ///< place in the queue (0 = next), while IN_QUEUE
  std::vector<LogEntry> logs;         ///< all logs so far (when requested)
  /// Seconds of running time (`metrics.inference_time`), when fal reports it on completion.
  std::optional<double> inference_time;
  std::string error;                  ///< set when a completed request failed
  std::string error_type;             ///< fal's kind of failure, e.g. "request_timeout", when sent
  int http_status = 0;                ///< 202 while pending, 200 when completed

  /// Whether polling can stop: only COMPLETED (fal's failures end COMPLETED too). An unknown
  /// status keeps polling, as fal-js does (reference §9): ending on it would fetch a result that
  /// may not exist yet and report a running training as finished.
  bool terminal() const { return phase == RequestPhase::kCompleted; }
};

/// What fal said to a cancel.
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
  /// Sends `x-app-fal-disable-fallback: true`: the request runs on the app itself, never on a
  /// fallback (fal's serverless reliability docs, a per-request header).
  bool disable_fallback = false;
  /// Any other headers for the submit POST, sent after those above (as fal's clients allow).
  /// Names must be HTTP tokens, values free of CR/LF; `Authorization`, `Content-Type`,
  /// `Content-Length` and `Host` are refused (`errc::invalid_argument`).
  std::vector<std::pair<std::string, std::string>> extra_headers;
  /// Test mode only: names the avatar so request ids read `test_<avatar>_<hex>`.
  std::string avatar_id;
};

}  // namespace v1
}  // namespace faltrain
