#include "client/detail/retry_after.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::int64_t kMaxSeconds = duration_cast<seconds>(kMaxRetryAfter).count();

std::string_view TrimWhitespace(std::string_view v) {
  constexpr std::string_view kOws = " \t";  // RFC 9110 optional whitespace
  auto first = v.find_first_not_of(kOws);
  if (first == std::string_view::npos) return {};
  return v.substr(first, v.find_last_not_of(kOws) - first + 1);
}

// delay-seconds = 1*DIGIT. Too many digits for 64 bits is still a valid (very long) delay.
std::optional<milliseconds> DelaySeconds(std::string_view v) {
  if (v.empty() || v.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec == std::errc::result_out_of_range || n > static_cast<std::uint64_t>(kMaxSeconds)) return kMaxRetryAfter;
  return duration_cast<milliseconds>(seconds(static_cast<std::int64_t>(n)));
}

std::optional<milliseconds> UntilDate(std::string_view v, Clock::wall_time now) {
  if (v.find('\0') != std::string_view::npos) return std::nullopt;  // curl_getdate reads a C string
  const std::int64_t when = curl_getdate(std::string(v).c_str(), nullptr);
  if (when == -1) return std::nullopt;
  // Whole seconds first: converting a far-off date to system_clock's nanoseconds would overflow.
  const std::int64_t now_seconds = duration_cast<seconds>(now.time_since_epoch()).count();
  if (when < now_seconds) return milliseconds(0);
  if (when - now_seconds >= kMaxSeconds) return kMaxRetryAfter;
  auto delta = duration_cast<milliseconds>(std::chrono::system_clock::from_time_t(when) - now);
  return std::clamp(delta, milliseconds(0), kMaxRetryAfter);
}

}  // namespace

std::optional<milliseconds> ParseRetryAfter(std::string_view value, Clock::wall_time now) {
  value = TrimWhitespace(value);
  if (value.empty()) return std::nullopt;
  if (auto delay = DelaySeconds(value)) return delay;
  return UntilDate(value, now);
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
