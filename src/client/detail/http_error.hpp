#pragma once
// Turning fal's non-success HTTP responses into `faltrain::error`. Private.

#include <faltrain/client/clock.hpp>
#include <faltrain/client/error.hpp>
#include <faltrain/client/transport.hpp>

#include <chrono>
#include <optional>
#include <string_view>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// The error a non-2xx response means: code from the status; message, `error_type` and 422 field
/// errors from the body (`detail` as string or array, `message`, `error`); request id from
/// `x-fal-request-id`; `Retry-After` (see retry_after.hpp); and whether retrying can help (408/409/429/5xx, except a 504
/// caused by the caller's own `X-Fal-Request-Timeout`; `X-Fal-Retryable` overrides when sent).
error ErrorFromResponse(const HttpResponse& response, Clock::wall_time now);

/// Parses a 422-style `detail` value's JSON text into field errors. A plain string becomes one entry
/// with loc {"body"} and type "value_error", as the official JS client does.
std::vector<field_error> ParseFieldErrors(std::string_view detail_json);

/// The response body shortened for error messages (first 512 bytes, control characters escaped).
std::string BodySnippet(std::string_view body);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
