#include <faltrain/client/error.hpp>
#include <faltrain/client/retry.hpp>

#include <algorithm>
#include <cmath>
#include <string_view>

namespace faltrain {
inline namespace v1 {

std::chrono::milliseconds RetryPolicy::Backoff(int retry, const error& cause,
                                               double random01) const {
  using ms = std::chrono::milliseconds;
  const double cap = static_cast<double>(std::max<ms::rep>(0, max_backoff.count()));
  const double initial = static_cast<double>(std::max<ms::rep>(0, initial_backoff.count()));
  // A multiplier below 1 would shrink delays; NaN would poison everything.
  const double growth = (multiplier >= 1.0) ? multiplier : 1.0;
  const int exponent = std::max(retry, 1) - 1;

  // pow may overflow to inf for large exponents; min() against the cap handles that.
  double delay = std::min(initial * std::pow(growth, exponent), cap);

  double spread = std::isfinite(jitter) ? std::clamp(jitter, 0.0, 1.0) : 0.0;
  double r = std::isfinite(random01) ? std::clamp(random01, 0.0, 1.0) : 0.5;
  delay *= 1.0 + spread * (2.0 * r - 1.0);
  delay = std::clamp(delay, 0.0, cap);

  ms computed(static_cast<ms::rep>(std::llround(delay)));
  if (cause.retry_after && *cause.retry_after > computed) return *cause.retry_after;
  return computed;
}

bool IsRetryable(const error& e) noexcept {
  if (e.retryable) return true;
  switch (e.code) {
    case errc::connect_failed:
    case errc::network_error:
    case errc::timeout:
      return true;
    default:
      break;
  }
  switch (e.http_status) {
    case 408:
    case 409:
    case 429:
    case 500:
    case 502:
    case 503:
      return true;
    case 504:
      return e.fal_error_type != std::string_view(kUserRequestTimeoutErrorType);
    default:
      return false;
  }
}

}  // namespace v1
}  // namespace faltrain
