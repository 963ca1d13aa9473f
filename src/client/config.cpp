#include <faltrain/client/config.hpp>
#include <faltrain/client/version.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <optional>

namespace faltrain {
inline namespace v1 {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

/// An environment variable's value; unset and empty are the same ("not configured").
std::optional<std::string> GetEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

/// Accepts "http(s)://host[...]" and returns it without trailing slashes.
result<std::string> ParseBaseUrl(const char* name, std::string_view value) {
  std::string_view url = Trim(value);
  std::string_view rest;
  if (StartsWithIgnoreCase(url, "https://")) {
    rest = url.substr(8);
  } else if (StartsWithIgnoreCase(url, "http://")) {
    rest = url.substr(7);
  } else {
    return fail(errc::invalid_argument,
                fmt::format("{} must be an http:// or https:// URL, got '{}'", name, value));
  }
  auto host_end = rest.find_first_of("/?#");
  std::string_view host = rest.substr(0, host_end);
  bool bad_host = host.empty() || host.front() == ':' ||
                  std::any_of(host.begin(), host.end(), [](char c) {
                    return IsSpace(c) || std::iscntrl(static_cast<unsigned char>(c));
                  });
  if (bad_host) {
    return fail(errc::invalid_argument, fmt::format("{} has no valid host: '{}'", name, value));
  }
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

/// Strict decimal: digits only (surrounding whitespace allowed), positive, no overflow.
result<std::chrono::milliseconds> ParsePositiveMillis(const char* name, std::string_view value) {
  std::string_view text = Trim(value);
  std::int64_t ms = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  bool all_digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
  if (!all_digits || ec != std::errc() || end != text.data() + text.size() || ms <= 0) {
    return fail(errc::invalid_argument,
                fmt::format("{} must be a positive whole number of milliseconds, got '{}'", name,
                            value));
  }
  return std::chrono::milliseconds(ms);
}

constexpr std::string_view OsName() {
#if defined(__ANDROID__)
  return "android";
#elif defined(__linux__)
  return "linux";
#elif defined(__APPLE__)
  return "darwin";
#elif defined(_WIN32)
  return "windows";
#elif defined(__FreeBSD__)
  return "freebsd";
#else
  return "unknown";
#endif
}

}  // namespace

result<ClientOptions> ClientOptions::FromEnvironment() {
  ClientOptions config;

  if (auto key = GetEnv("FAL_KEY"); key && !TrimKey(*key).empty()) {
    config.api_key = TrimKey(*key);
  } else if (auto id = GetEnv("FAL_KEY_ID"), secret = GetEnv("FAL_KEY_SECRET");
             id && secret && !TrimKey(*id).empty() && !TrimKey(*secret).empty()) {
    config.api_key = TrimKey(*id) + ":" + TrimKey(*secret);
  } else if (auto seed_key = GetEnv("FAL_API_KEY")) {
    config.api_key = TrimKey(*seed_key);
  }

  if (auto webhook = GetEnv("FAL_WEBHOOK_URL")) {
    config.webhook_url = std::string(Trim(*webhook));
  }
  if (auto test_mode = GetEnv("AVATAR_TEST_MODE")) {
    config.test_mode = ParseEnvBool(*test_mode);
  }

  struct UrlVar {
    const char* name;
    std::string* target;
  };
  for (const UrlVar& var : {UrlVar{"FALTRAIN_QUEUE_URL", &config.endpoints.queue_url},
                            UrlVar{"FALTRAIN_REST_URL", &config.endpoints.rest_url},
                            UrlVar{"FALTRAIN_JWKS_URL", &config.endpoints.jwks_url}}) {
    if (auto value = GetEnv(var.name)) {
      FALTRAIN_TRY(*var.target, ParseBaseUrl(var.name, *value));
    }
  }

  if (auto value = GetEnv("FALTRAIN_CONNECT_TIMEOUT_MS")) {
    FALTRAIN_TRY(config.connect_timeout, ParsePositiveMillis("FALTRAIN_CONNECT_TIMEOUT_MS", *value));
  }
  if (auto value = GetEnv("FALTRAIN_REQUEST_TIMEOUT_MS")) {
    FALTRAIN_TRY(config.request_timeout, ParsePositiveMillis("FALTRAIN_REQUEST_TIMEOUT_MS", *value));
  }
  if (auto suffix = GetEnv("FALTRAIN_USER_AGENT")) {
    config.user_agent_suffix = std::string(Trim(*suffix));
  }
  return config;
}

std::string ClientOptions::UserAgent() const {
  std::string ua = fmt::format("faltrain/{} ({})", version(), OsName());
  std::string_view suffix = Trim(user_agent_suffix);
  if (!suffix.empty()) {
    ua += ' ';
    ua += suffix;
  }
  return ua;
}

std::string ClientOptions::Describe() const {
  return fmt::format(
      "api_key={} queue_url={} rest_url={} jwks_url={} webhook_url={} test_mode={} "
      "connect_timeout={}ms request_timeout={}ms user_agent=\"{}\" retry.max_attempts={} "
      "retry.initial_backoff={}ms retry.max_backoff={}ms retry.max_total={}ms "
      "multipart_threshold={} multipart_part_size={}",
      RedactKey(api_key), endpoints.queue_url, endpoints.rest_url, endpoints.jwks_url,
      webhook_url.empty() ? "(none)" : webhook_url, test_mode ? "true" : "false",
      connect_timeout.count(), request_timeout.count(), UserAgent(), retry.max_attempts,
      retry.initial_backoff.count(), retry.max_backoff.count(), retry.max_total.count(),
      multipart_threshold, multipart_part_size);
}

std::string RedactKey(std::string_view key) {
  std::string_view trimmed = Trim(key);
  if (trimmed.empty()) return "(none)";
  // Show at most 8 characters and at most a quarter of the key, and never past the ':' that
  // starts the secret half of "key_id:key_secret".
  std::size_t shown = std::min<std::size_t>(8, trimmed.size() / 4);
  shown = std::min(shown, trimmed.find(':'));
  return std::string(trimmed.substr(0, shown)) + "\u2026(redacted)";
}

std::string TrimKey(std::string_view key) { return std::string(Trim(key)); }

bool ParseEnvBool(std::string_view value) noexcept {
  std::string_view v = Trim(value);
  return EqualsIgnoreCase(v, "true") || v == "1" || EqualsIgnoreCase(v, "yes") ||
         EqualsIgnoreCase(v, "on");
}

}  // namespace v1
}  // namespace faltrain
