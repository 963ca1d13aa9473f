#pragma once
/// @file
/// fal webhooks, typed. fal POSTs one JSON body per finished request (fal-protocol.md §4.2):
/// @code{.json}
///   {"request_id", "gateway_request_id", "status": "OK"|"ERROR", "payload", "error", "payload_error"?}
/// @endcode
/// `WebhookEvent::Parse` turns the raw body into a `WebhookEvent`; verification lives in
/// <faltrain/webhooks/verifier.hpp> and the server-agnostic HTTP handler in
/// <faltrain/webhooks/handler.hpp>.

#include <faltrain/client/error.hpp>
#include <faltrain/client/outputs.hpp>
#include <faltrain/client/result.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faltrain {
inline namespace v1 {

/// A webhook's `status`.
enum class WebhookStatus {
  kOk,       ///< "OK": the request finished; `payload` is its output (or null + `payload_error`)
  kError,    ///< "ERROR": the request failed; `error` says why, `payload` may carry a 422 detail
  kUnknown,  ///< any other status text (kept in `status_text`); never treated as success
};
/// "OK", "ERROR", "UNKNOWN".
std::string_view to_string(WebhookStatus s) noexcept;
/// The inverse of `to_string(WebhookStatus)`; case-insensitive. (`WebhookEvent::Parse` itself keeps
/// fal's exact, case-sensitive status text and maps anything else to `kUnknown`.)
result<WebhookStatus> ParseWebhookStatus(std::string_view text);

/// Limits of `WebhookEvent::Parse`.
struct WebhookParseOptions {
  /// Bodies larger than this are rejected before parsing (fal's bodies are a few KiB).
  std::size_t max_bytes = 1u << 20;
};

/// One webhook delivery, decoded.
struct WebhookEvent {
  std::string request_id;          ///< body `request_id` (required, non-empty)
  std::string gateway_request_id;  ///< body `gateway_request_id`, when sent
  WebhookStatus status = WebhookStatus::kUnknown;  ///< decoded from `status_text`
  std::string status_text;         ///< `status` exactly as sent
  std::string error;               ///< `error` text; empty when null or absent
  std::string payload_error;       ///< `payload_error` text (payload not JSON-serialisable)
  /// `payload` exactly as received (numbers beyond 64 bits intact); empty when null or absent.
  std::string payload_json;
  /// The payload decoded as a trainer output, when it is one (`TrainingOutput::Parse` accepted it).
  std::optional<TrainingOutput> output;
  /// From a 422-style `payload.detail` array (ERROR deliveries).
  std::vector<field_error> field_errors;
  /// `payload.detail` when it is a plain string instead of an array.
  std::string detail_message;

  /// True for status OK with a non-null payload and no `payload_error`.
  bool succeeded() const {
    return status == WebhookStatus::kOk && !payload_json.empty() && payload_error.empty();
  }
  /// A one-line failure description: `error`, `payload_error`, detail and field errors.
  std::string FailureSummary() const;

  /// Decodes a webhook body. Fails with `errc::invalid_argument` on malformed, truncated or
  /// wrong-typed JSON, a missing `request_id`/`status`, and with `errc::payload_too_large` over
  /// `options.max_bytes`. Unknown fields are ignored. Never throws.
  static result<WebhookEvent> Parse(std::string_view body, const WebhookParseOptions& options = {});
};

}  // namespace v1
}  // namespace faltrain
