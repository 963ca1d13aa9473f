#include "client/detail/http_error.hpp"
#include "client/detail/retry_after.hpp"

#include <faltrain/client/error.hpp>
#include <faltrain/client/retry.hpp>

#include <doctest/doctest.h>

#include <limits>
#include <string>

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

// ---- Retry-After -------------------------------------------------------------------------------

namespace {

using faltrain::detail::kMaxRetryAfter;
using faltrain::detail::ParseRetryAfter;
using std::chrono::hours;
using std::chrono::seconds;

const Clock::wall_time kNow{seconds(1767225600)};  // Thu, 01 Jan 2026 00:00:00 GMT

}  // namespace

TEST_CASE("Retry-After: delay-seconds") {
  CHECK(ParseRetryAfter("0", kNow) == milliseconds(0));
  CHECK(ParseRetryAfter("7", kNow) == milliseconds(7000));
  CHECK(ParseRetryAfter("120", kNow) == milliseconds(120000));
  CHECK(ParseRetryAfter("007", kNow) == milliseconds(7000));
  CHECK(ParseRetryAfter("  7 ", kNow) == milliseconds(7000));
  CHECK(ParseRetryAfter("\t7\t", kNow) == milliseconds(7000));
}

TEST_CASE("Retry-After: huge delays are cut to the documented maximum") {
  CHECK(kMaxRetryAfter == hours(24));
  CHECK(ParseRetryAfter("86400", kNow) == kMaxRetryAfter);
  CHECK(ParseRetryAfter("86401", kNow) == kMaxRetryAfter);
  CHECK(ParseRetryAfter("9223372036854775807", kNow) == kMaxRetryAfter);
  CHECK(ParseRetryAfter("18446744073709551616", kNow) == kMaxRetryAfter);  // 2^64
  CHECK(ParseRetryAfter(std::string(400, '9'), kNow) == kMaxRetryAfter);
}

TEST_CASE("Retry-After: anything but digits or an HTTP-date is ignored") {
  for (const char* bad : {"", "   ", "1.5", "0.5", ".5", "1.", "-5", "-0", "+5", "1e300", "1e3", "1E3",
                          "-1e300", "inf", "nan", "0x10", "1,000", "5s", "5 5", "soon", "Nov",
                          "Retry later", "\x01", "7\n"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseRetryAfter(bad, kNow).has_value());
  }
  CHECK_FALSE(ParseRetryAfter(std::string("7\0", 2), kNow).has_value());
  CHECK_FALSE(ParseRetryAfter(std::string("Thu, 01 Jan 2026 00:00:30 GMT\0x", 31), kNow).has_value());
}

TEST_CASE("Retry-After: HTTP-dates in all three forms") {
  CHECK(ParseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", kNow) == milliseconds(30000));  // IMF-fixdate
  CHECK(ParseRetryAfter("Thursday, 01-Jan-26 00:00:30 GMT", kNow) == milliseconds(30000));  // RFC 850
  CHECK(ParseRetryAfter("Thu Jan  1 00:00:30 2026", kNow) == milliseconds(30000));  // asctime
  CHECK(ParseRetryAfter(" Thu, 01 Jan 2026 01:00:00 GMT ", kNow) == milliseconds(3600000));
  // Measured from the exact current time, not the current second.
  CHECK(ParseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", kNow + milliseconds(250)) == milliseconds(29750));
}

TEST_CASE("Retry-After: a date in the past means now, one far ahead the maximum") {
  CHECK(ParseRetryAfter("Thu, 01 Jan 2026 00:00:00 GMT", kNow) == milliseconds(0));
  CHECK(ParseRetryAfter("Wed, 31 Dec 2025 23:59:00 GMT", kNow) == milliseconds(0));
  CHECK(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kNow) == milliseconds(0));
  CHECK(ParseRetryAfter("Thu, 01 Jan 1970 00:00:00 GMT", kNow) == milliseconds(0));
  CHECK(ParseRetryAfter("Thu, 01 Jan 2026 23:00:00 GMT", kNow) == hours(23));
  CHECK(ParseRetryAfter("Sat, 03 Jan 2026 00:00:00 GMT", kNow) == kMaxRetryAfter);
  CHECK(ParseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", kNow) == kMaxRetryAfter);
}

TEST_CASE("Retry-After reaches the error, and a capped one still drives Backoff") {
  HttpResponse response;
  response.status = 429;
  response.headers.Add("Retry-After", "1e300");
  CHECK_FALSE(faltrain::detail::ErrorFromResponse(response, kNow).retry_after.has_value());
  response.headers.Set("Retry-After", "99999999999999999999");
  error e = faltrain::detail::ErrorFromResponse(response, kNow);
  CHECK(e.retry_after == kMaxRetryAfter);
  CHECK(RetryPolicy().Backoff(1, e, 0.5) == kMaxRetryAfter);
}
