#include <faltrain/client/error.hpp>
#include <faltrain/client/retry.hpp>

#include <doctest/doctest.h>

#include <limits>

using namespace faltrain;
using std::chrono::milliseconds;

namespace {

error Http(int status, std::string fal_type = {}) {
  error e(status >= 500 ? errc::server_error : errc::http_error, "x");
  e.http_status = status;
  e.fal_error_type = std::move(fal_type);
  return e;
}

}  // namespace

TEST_CASE("Backoff grows exponentially from the initial delay without jitter at random 0.5") {
  RetryPolicy p;
  p.initial_backoff = milliseconds(500);
  p.multiplier = 2.0;
  p.max_backoff = milliseconds(30000);
  error cause(errc::network_error, "reset");
  CHECK(p.Backoff(1, cause, 0.5) == milliseconds(500));
  CHECK(p.Backoff(2, cause, 0.5) == milliseconds(1000));
  CHECK(p.Backoff(3, cause, 0.5) == milliseconds(2000));
  CHECK(p.Backoff(6, cause, 0.5) == milliseconds(16000));
}

TEST_CASE("Backoff is capped at max_backoff, even for huge retry numbers") {
  RetryPolicy p;
  p.initial_backoff = milliseconds(1000);
  p.max_backoff = milliseconds(5000);
  error cause(errc::timeout, "t");
  CHECK(p.Backoff(4, cause, 0.5) == milliseconds(5000));
  CHECK(p.Backoff(100000, cause, 0.5) == milliseconds(5000));
  CHECK(p.Backoff(std::numeric_limits<int>::max(), cause, 0.5) == milliseconds(5000));
  // Jitter never pushes past the cap.
  CHECK(p.Backoff(10, cause, 0.999) == milliseconds(5000));
  CHECK(p.Backoff(10, cause, 0.0) == milliseconds(3750));
}

TEST_CASE("Backoff jitter spreads the delay by +/- the jitter fraction") {
  RetryPolicy p;
  p.initial_backoff = milliseconds(1000);
  p.jitter = 0.25;
  error cause(errc::network_error, "n");
  CHECK(p.Backoff(1, cause, 0.0) == milliseconds(750));
  CHECK(p.Backoff(1, cause, 0.5) == milliseconds(1000));
  CHECK(p.Backoff(1, cause, 0.75) == milliseconds(1125));
  for (double r = 0; r < 1.0; r += 0.01) {
    auto d = p.Backoff(1, cause, r);
    CHECK(d >= milliseconds(750));
    CHECK(d <= milliseconds(1250));
  }
  p.jitter = 0;
  CHECK(p.Backoff(1, cause, 0.0) == milliseconds(1000));
  CHECK(p.Backoff(1, cause, 0.99) == milliseconds(1000));
}

TEST_CASE("Backoff tolerates out-of-range inputs") {
  RetryPolicy p;
  p.initial_backoff = milliseconds(100);
  p.max_backoff = milliseconds(1000);
  error cause(errc::network_error, "n");
  CHECK(p.Backoff(0, cause, 0.5) == milliseconds(100));   // treated as the first retry
  CHECK(p.Backoff(-3, cause, 0.5) == milliseconds(100));
  CHECK(p.Backoff(1, cause, -1.0) == p.Backoff(1, cause, 0.0));
  CHECK(p.Backoff(1, cause, 7.0) == p.Backoff(1, cause, 1.0));
  CHECK(p.Backoff(1, cause, std::numeric_limits<double>::quiet_NaN()) == milliseconds(100));
  p.multiplier = 0.5;  // shrinking is not allowed: stays at the initial delay
  CHECK(p.Backoff(5, cause, 0.5) == milliseconds(100));
  p.jitter = 3.0;  // clamped to 100%
  CHECK(p.Backoff(1, cause, 0.0) == milliseconds(0));
  p.max_backoff = milliseconds(-5);
  CHECK(p.Backoff(1, cause, 0.5) == milliseconds(0));
}

TEST_CASE("Backoff obeys a longer Retry-After and ignores a shorter one") {
  RetryPolicy p;
  p.initial_backoff = milliseconds(500);
  p.max_backoff = milliseconds(2000);
  error cause = Http(429);
  cause.retry_after = milliseconds(7000);
  CHECK(p.Backoff(1, cause, 0.5) == milliseconds(7000));  // wins even over the cap
  cause.retry_after = milliseconds(100);
  CHECK(p.Backoff(1, cause, 0.5) == milliseconds(500));
  cause.retry_after = milliseconds(0);
  CHECK(p.Backoff(2, cause, 0.5) == milliseconds(1000));
}

TEST_CASE("RetryPolicy::None allows a single attempt") {
  CHECK(RetryPolicy::None().max_attempts == 1);
  CHECK(RetryPolicy().max_attempts > 1);
}

TEST_CASE("IsRetryable: transport failures") {
  CHECK(IsRetryable(error(errc::connect_failed, "refused")));
  CHECK(IsRetryable(error(errc::network_error, "reset")));
  CHECK(IsRetryable(error(errc::timeout, "slow")));
  CHECK_FALSE(IsRetryable(error(errc::payload_too_large, "big")));
  CHECK_FALSE(IsRetryable(error(errc::invalid_argument, "bad")));
  CHECK_FALSE(IsRetryable(error(errc::cancelled, "stop")));
  CHECK_FALSE(IsRetryable(error(errc::malformed_response, "junk")));
}

TEST_CASE("IsRetryable: HTTP statuses per fal's client policies") {
  for (int status : {408, 409, 429, 500, 502, 503, 504}) {
    CAPTURE(status);
    CHECK(IsRetryable(Http(status)));
  }
  for (int status : {400, 401, 403, 404, 422, 501, 505, 200, 202}) {
    CAPTURE(status);
    CHECK_FALSE(IsRetryable(Http(status)));
  }
  // Infrastructure 503/504 types stay retryable.
  CHECK(IsRetryable(Http(503, "runner_scheduling_failure")));
  CHECK(IsRetryable(Http(504, "startup_timeout")));
}

TEST_CASE("IsRetryable: a 504 from the caller's own X-Fal-Request-Timeout is final") {
  CHECK_FALSE(IsRetryable(Http(504, kUserRequestTimeoutErrorType)));
  CHECK_FALSE(IsRetryable(Http(504, "request_timeout")));
  // The marker only matters on 504.
  CHECK(IsRetryable(Http(503, "request_timeout")));
}

TEST_CASE("IsRetryable: an explicit retryable flag wins") {
  error e = Http(400);
  e.retryable = true;
  CHECK(IsRetryable(e));
  error other(errc::unauthorized, "no");
  other.retryable = true;
  CHECK(IsRetryable(other));
}
