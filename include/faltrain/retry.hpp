#pragma once
// When and how long to wait before trying a request again.

#include <chrono>
#include <cstdint>
#include <optional>

namespace faltrain {
inline namespace v1 {

struct error;

/// Exponential backoff with jitter, capped, that honours `Retry-After`.
struct RetryPolicy {
  int max_attempts = 4;                               ///< total tries, first included (1 = never retry)
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30000};
  double multiplier = 2.0;
  double jitter = 0.25;                               ///< +/- fraction of the delay
  std::chrono::milliseconds max_total{std::chrono::minutes(5)};  ///< retrying stops past this

  /// Never retry: for calls that must not be repeated.
  static RetryPolicy None() {
    RetryPolicy p;
    p.max_attempts = 1;
    return p;
  }

  /// Delay before retry number `retry` (1-based) after `cause`; `random01` in [0,1) drives the jitter.
  /// A server's `Retry-After` longer than the computed delay wins.
  std::chrono::milliseconds Backoff(int retry, const error& cause, double random01) const;
};

/// Whether `e` is worth retrying for an idempotent call: network errors, timeouts, 408, 409, 429,
/// 500, 502, 503, 504, except 504 caused by the user's own start timeout.
bool IsRetryable(const error& e) noexcept;

}  // namespace v1
}  // namespace faltrain
