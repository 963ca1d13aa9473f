// JwksCache: fal's webhook signing keys, fetched through a Transport and cached, or a fixed set.

#include "faltrain/webhooks/verifier.hpp"

#include "webhooks/detail/encoding.hpp"
#include "client/detail/json_reader.hpp"

#include <fmt/format.h>

#include <mutex>
#include <optional>

namespace faltrain {
inline namespace v1 {
namespace {

namespace od = simdjson::ondemand;

auto BadJwks(std::string_view what) {
  return fail(errc::malformed_response, fmt::format("JWKS: {}", what));
}

}  // namespace

result<WebhookKeySet> ParseJwks(std::string_view json) {
  if (!detail::IsValidJson(json)) return BadJwks("not valid JSON");
  detail::JsonDocument doc(json);
  if (doc.error()) return BadJwks("not valid JSON");
  od::object root;
  if (doc.Object().get(root)) return BadJwks("not a JSON object");
  WebhookKeySet keys;
  bool have_keys_array = false;
  for (auto field : root) {
    std::string_view name;
    if (field.unescaped_key().get(name)) return BadJwks("unreadable key");
    od::value value;
    if (field.value().get(value)) return BadJwks("unreadable value");
    if (name != "keys") continue;
    od::array array;
    if (value.get_array().get(array)) return BadJwks("\"keys\" is not an array");
    have_keys_array = true;
    for (auto element : array) {
      od::object key;
      if (element.get_object().get(key)) continue;  // not a key object: skip it
      std::optional<std::string> x, kty, crv;
      for (auto key_field : key) {
        std::string_view key_name;
        if (key_field.unescaped_key().get(key_name)) return BadJwks("unreadable key field");
        od::value v;
        if (key_field.value().get(v)) return BadJwks("unreadable key field");
        if (key_name == "x") x = detail::ReadString(v);
        else if (key_name == "kty") kty = detail::ReadString(v);
        else if (key_name == "crv") crv = detail::ReadString(v);
      }
      // Docs only guarantee `x`; when kty/crv are present they must say Ed25519.
      if ((kty && *kty != "OKP") || (crv && *crv != "Ed25519") || !x) continue;
      auto raw = detail::Base64UrlDecode(*x);
      if (!raw || raw->size() != 32) continue;
      keys.push_back(std::move(*raw));
    }
  }
  if (!have_keys_array) return BadJwks("no \"keys\" array");
  if (keys.empty()) return BadJwks("no usable Ed25519 key (32-byte base64url \"x\")");
  return keys;
}

struct JwksCache::Impl {
  std::shared_ptr<Transport> transport;  // null for a static set
  JwksCacheOptions options;
  std::shared_ptr<Clock> clock;

  std::mutex fetch_mu;  // one fetch at a time; waiters then read what it got
  mutable std::mutex mu;
  std::shared_ptr<const WebhookKeySet> keys;
  std::optional<Clock::steady_time> fetched_at;        // last successful fetch
  std::optional<Clock::steady_time> failure_refetch_at;  // last refetch caused by a failed signature
  std::uint64_t fetches = 0;

  result<std::shared_ptr<const WebhookKeySet>> Fetch() {
    HttpRequest request;
    request.method = HttpMethod::kGet;
    request.url = options.url;
    request.headers.Add("Accept", "application/json");
    request.timeout = options.fetch_timeout;
    {
      std::lock_guard<std::mutex> lock(mu);
      ++fetches;
    }
    auto response = transport->Send(request);
    if (!response) {
      error e = std::move(response).error();
      e.message = fmt::format("fetching webhook keys from {} failed: {}", options.url, e.message);
      return fail(std::move(e));
    }
    const HttpResponse& r = response.value();
    if (r.status != 200) {
      error e{errc::http_error,
              fmt::format("fetching webhook keys from {} failed: HTTP {}", options.url, r.status)};
      e.http_status = r.status;
      e.retryable = r.status >= 500 || r.status == 429;
      return fail(std::move(e));
    }
    if (r.body.size() > options.max_bytes) {
      return fail(errc::payload_too_large,
                  fmt::format("webhook keys from {}: {} bytes exceeds {}", options.url, r.body.size(),
                              options.max_bytes));
    }
    auto parsed = ParseJwks(r.body);
    if (!parsed) {
      error e = std::move(parsed).error();
      e.message = fmt::format("webhook keys from {}: {}", options.url, e.message);
      return fail(std::move(e));
    }
    auto keys_now = std::make_shared<const WebhookKeySet>(std::move(parsed).value());
    std::lock_guard<std::mutex> lock(mu);
    keys = keys_now;
    fetched_at = clock->Now();
    return keys_now;
  }

  bool Fresh(Clock::steady_time now) const {
    return keys && fetched_at && now - *fetched_at < options.ttl;
  }
};

JwksCache::JwksCache(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JwksCache::~JwksCache() = default;

std::shared_ptr<JwksCache> JwksCache::Fetching(std::shared_ptr<Transport> transport,
                                               JwksCacheOptions options,
                                               std::shared_ptr<Clock> clock) {
  auto impl = std::make_unique<Impl>();
  impl->transport = std::move(transport);
  impl->options = std::move(options);
  impl->clock = clock ? std::move(clock) : MakeSystemClock();
  return std::shared_ptr<JwksCache>(new JwksCache(std::move(impl)));
}

std::shared_ptr<JwksCache> JwksCache::Static(WebhookKeySet keys) {
  auto impl = std::make_unique<Impl>();
  impl->keys = std::make_shared<const WebhookKeySet>(std::move(keys));
  return std::shared_ptr<JwksCache>(new JwksCache(std::move(impl)));
}

result<std::shared_ptr<JwksCache>> JwksCache::StaticFromJwks(std::string_view jwks_json) {
  FALTRAIN_TRY(auto keys, ParseJwks(jwks_json));
  return Static(std::move(keys));
}

result<std::shared_ptr<const WebhookKeySet>> JwksCache::Keys() {
  Impl& s = *impl_;
  if (!s.transport) {
    std::lock_guard<std::mutex> lock(s.mu);
    return s.keys;
  }
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.Fresh(s.clock->Now())) return s.keys;
  }
  std::lock_guard<std::mutex> fetch_lock(s.fetch_mu);
  {
    // Another thread may have fetched while this one waited.
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.Fresh(s.clock->Now())) return s.keys;
  }
  return s.Fetch();
}

result<std::shared_ptr<const WebhookKeySet>> JwksCache::RefreshAfterFailure(
    const std::shared_ptr<const WebhookKeySet>& tried) {
  Impl& s = *impl_;
  if (!s.transport) return std::shared_ptr<const WebhookKeySet>();
  std::lock_guard<std::mutex> fetch_lock(s.fetch_mu);
  {
    std::lock_guard<std::mutex> lock(s.mu);
    // Someone already refreshed since `tried` was read: offer that set.
    if (s.keys && s.keys != tried) return s.keys;
    const auto now = s.clock->Now();
    if (s.failure_refetch_at && now - *s.failure_refetch_at < s.options.refetch_interval) {
      return std::shared_ptr<const WebhookKeySet>();
    }
    s.failure_refetch_at = now;
  }
  FALTRAIN_TRY(auto fresh, s.Fetch());
  if (tried && *fresh == *tried) return std::shared_ptr<const WebhookKeySet>();
  return fresh;
}

std::uint64_t JwksCache::fetch_count() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->fetches;
}

}  // namespace v1
}  // namespace faltrain
