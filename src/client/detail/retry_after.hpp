#pragma once
// Reading a `Retry-After` header (RFC 9110 §10.2.3). Private.

#include <faltrain/client/clock.hpp>

#include <chrono>
#include <optional>
#include <string_view>

namespace faltrain {
inline namespace v1 {
namespace detail {

/// The longest wait a `Retry-After` can ask for: longer values, and dates further ahead, are cut
/// to it. A day is far beyond any sensible `RetryPolicy::max_total` (the retry loop gives up on
/// such a wait anyway) and far from overflowing the clocks' nanosecond durations.
inline constexpr std::chrono::milliseconds kMaxRetryAfter = std::chrono::hours(24);

/// How long `Retry-After: <value>` asks to wait, from `now`, at most `kMaxRetryAfter`:
///   - delay-seconds: digits only (no sign, fraction or exponent), any number of them;
///   - an HTTP-date in any of the three forms (IMF-fixdate, RFC 850, asctime), read by libcurl's
///     `curl_getdate`; a date in the past means no wait.
/// nullopt when absent or anything else ("1.5", "-5", "1e300", "soon").
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value, Clock::wall_time now);

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
