#pragma once
/// @file
/// When and how long to wait before trying a request again.

#include <chrono>
#include <cstdint>
#include <optional>

namespace faltrain {
inline namespace v1 {

struct error;

/// Exponential backoff with jitter, capped, that honours `Retry-After`.
struct RetryPolicy {
  int max_attempts = 4;                               ///< total tries, first included (1 = never retry)
  std::chrono::milliseconds initial_backoff{500};     ///< delay before the first retry
  std::chrono::milliseconds max_backoff{30000};       ///< cap on a computed delay (not on `Retry-After`)
  double multiplier = 2.0;                            ///< growth per retry; values below 1 count as 1
  double jitter = 0.25;                               ///< +/- fraction of the delay, clamped to [0,1]
  std::chrono::milliseconds max_total{std::chrono::minutes(5)};  ///< retrying stops past this

  /// Never retry: for calls that must not be repeated.
  static RetryPolicy None() {
    RetryPolicy p;
    p.max_attempts = 1;
    return p;
  }

  /// Delay before retry number `retry` (1-based) after `cause`; `random01` in [0,1) drives the jitter.
  /// The delay is initial_backoff * multiplier^(retry-1), capped at max_backoff, then spread by
  /// +/- jitter (and kept within [0, max_backoff]). A server's `Retry-After` longer than that wins
  /// (it is capped at 24 hours when parsed; the caller's `max_total` still bounds the whole retry
  /// loop).
  std::chrono::milliseconds Backoff(int retry, const error& cause, double random01) const;
};

/// fal's error type for a request whose `X-Fal-Request-Timeout` (the caller's own start deadline)
/// expired. A 504 carrying it must not be retried: the caller chose to give up.
inline constexpr const char* kUserRequestTimeoutErrorType = "request_timeout";

/// Whether `e` is worth retrying for a status poll, the most lenient call (fal-js retries a poll's
/// 500 too). `TrainingClient` is stricter per call (reference §9): a result, cancel or upload never
/// repeats a 500, and repeats 502/503/504 only when fal's ingress sent them (no `x-fal-request-id`);
/// a submit only when fal provably did not receive it. The rule, in order:
///   1. `e.retryable` set (the server said so, e.g. `X-Fal-Retryable`) -> true;
///   2. `errc::connect_failed`, `errc::network_error`, `errc::timeout` -> true;
///   3. HTTP 408, 409, 429, 500, 502, 503, 504 -> true, except a 504 whose `fal_error_type` is
///      `kUserRequestTimeoutErrorType` (the client sets it from `X-Fal-Request-Timeout-Type: user`
///      or the body's `error_type`) -> false;
///   4. anything else -> false.
/// Whether a non-idempotent call (submit) may retry is the caller's decision, not this function's.
bool IsRetryable(const error& e) noexcept;

}  // namespace v1
}  // namespace faltrain
