#pragma once
/// @file
/// Verifying fal's webhook signatures (fal-protocol.md §4.4–4.5).
///
/// @code
///   auto keys = faltrain::JwksCache::Fetching(transport, {}, clock);   // or JwksCache::Static(...)
///   faltrain::WebhookVerifier verifier(keys, {.pinned_user_id = "my-fal-user"}, clock);
///   auto event = verifier.VerifyAndParse(headers, raw_body);          // errc::signature_invalid ...
/// @endcode
///
/// fal signs `request_id \n user_id \n timestamp \n sha256hex(body)` with Ed25519 and publishes the
/// public keys as a JWKS. Signatures carry no key id, so every key is tried.

#include <faltrain/client/clock.hpp>
#include <faltrain/client/config.hpp>
#include <faltrain/client/result.hpp>
#include <faltrain/client/transport.hpp>
#include <faltrain/webhooks/event.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace faltrain {
inline namespace v1 {

/// fal's webhook header names (matched case-insensitively): the request id the signature covers.
inline constexpr std::string_view kWebhookRequestIdHeader = "X-Fal-Webhook-Request-Id";
/// The fal user the webhook belongs to (see `WebhookVerifierOptions::pinned_user_id`).
inline constexpr std::string_view kWebhookUserIdHeader = "X-Fal-Webhook-User-Id";
/// When fal signed the webhook, in Unix seconds (see `WebhookVerifierOptions::tolerance`).
inline constexpr std::string_view kWebhookTimestampHeader = "X-Fal-Webhook-Timestamp";
/// The Ed25519 signature, hex-encoded (64 bytes).
inline constexpr std::string_view kWebhookSignatureHeader = "X-Fal-Webhook-Signature";

/// Raw 32-byte Ed25519 public keys.
using WebhookKeySet = std::vector<std::string>;

/// Decodes a JWKS document: every `keys[].x` (padded or unpadded base64url) that decodes to 32 bytes,
/// skipping keys whose `kty`/`crv`, when present, are not OKP/Ed25519. Fails with
/// `errc::malformed_response` when the text is not a JWKS or holds no usable key.
result<WebhookKeySet> ParseJwks(std::string_view json);

/// Where `JwksCache::Fetching` gets the keys and how long it keeps them.
struct JwksCacheOptions {
  /// Where the JWKS lives; defaults to `Endpoints{}.jwks_url` (https://rest.fal.ai/.well-known/jwks.json).
  std::string url = Endpoints{}.jwks_url;
  /// Keys are refetched after this long (fal: cache at most 24 h).
  std::chrono::seconds ttl{std::chrono::hours(24)};
  /// After a signature fails against the cached keys, refetch at most once per this interval
  /// (key rotation without letting forged requests hammer the JWKS endpoint).
  std::chrono::seconds refetch_interval{std::chrono::seconds(60)};
  std::chrono::milliseconds fetch_timeout{std::chrono::seconds(10)};  ///< per JWKS request
  /// Largest JWKS body accepted, in bytes (64 KiB).
  std::size_t max_bytes = 64u << 10;
};

/// Webhook signing keys: fetched through a `Transport` and cached, or a fixed set. Thread-safe.
class JwksCache {
 public:
  /// Keys fetched from `options.url` on first use, refreshed after `ttl`.
  static std::shared_ptr<JwksCache> Fetching(std::shared_ptr<Transport> transport,
                                             JwksCacheOptions options = {},
                                             std::shared_ptr<Clock> clock = MakeSystemClock());
  /// A fixed key set (offline use and tests); never fetches.
  static std::shared_ptr<JwksCache> Static(WebhookKeySet keys);
  /// A fixed key set from a JWKS document.
  static result<std::shared_ptr<JwksCache>> StaticFromJwks(std::string_view jwks_json);

  /// The current keys, fetching them when none are cached or the cache is older than `ttl`.
  /// A failed fetch reports the transport error or `errc::http_error` / `errc::malformed_response`,
  /// with the JWKS URL in the message.
  result<std::shared_ptr<const WebhookKeySet>> Keys();
  /// Called after a signature failed against `tried`: refetches when `tried` is still the cached
  /// set and no refetch happened within `refetch_interval`. Returns the new set when it differs
  /// from `tried`, else null (nothing new to try).
  result<std::shared_ptr<const WebhookKeySet>> RefreshAfterFailure(
      const std::shared_ptr<const WebhookKeySet>& tried);
  /// How many times keys were fetched (for tests and metrics).
  std::uint64_t fetch_count() const;

  JwksCache(const JwksCache&) = delete;
  JwksCache& operator=(const JwksCache&) = delete;
  ~JwksCache();

 private:
  struct Impl;
  explicit JwksCache(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// What `WebhookVerifier` accepts.
struct WebhookVerifierOptions {
  /// Largest accepted |now − timestamp| (fal: 300 s).
  std::chrono::seconds tolerance{std::chrono::seconds(300)};
  /// When set, `X-Fal-Webhook-User-Id` must equal it.
  std::string pinned_user_id;
  WebhookParseOptions parse;  ///< limits for `VerifyAndParse`'s body parsing
};

/// What the signature vouches for.
struct VerifiedWebhook {
  std::string request_id;      ///< `X-Fal-Webhook-Request-Id`
  std::string user_id;         ///< `X-Fal-Webhook-User-Id`
  std::int64_t timestamp = 0;  ///< `X-Fal-Webhook-Timestamp`, Unix seconds
};

namespace detail {
class Ed25519KeyCache;
}  // namespace detail

/// Checks fal's webhook signature scheme exactly. Thread-safe.
class WebhookVerifier {
 public:
  /// Verifies against `keys`; `clock` (null = the system clock) is "now" for the timestamp window.
  WebhookVerifier(std::shared_ptr<JwksCache> keys, WebhookVerifierOptions options = {},
                  std::shared_ptr<Clock> clock = MakeSystemClock());

  /// Headers, timestamp window, pinned user and signature over the exact `body` bytes.
  /// Fails with `errc::signature_invalid` (the message names the reason: a missing header, a
  /// timestamp outside the window, a malformed or non-matching signature, a wrong user), or with
  /// the JWKS fetch error when no keys could be obtained.
  result<VerifiedWebhook> Verify(const HttpHeaders& headers, std::string_view body) const;

  /// `Verify`, then `WebhookEvent::Parse` (its errors as is), then checks the signed header request
  /// id equals the body's `request_id` or its `gateway_request_id` (`errc::signature_invalid`
  /// otherwise): fal does not document which of the two it signs after internal retries.
  result<WebhookEvent> VerifyAndParse(const HttpHeaders& headers, std::string_view body) const;

  /// The options it was built with.
  const WebhookVerifierOptions& options() const { return options_; }

 private:
  std::shared_ptr<JwksCache> keys_;
  WebhookVerifierOptions options_;
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<detail::Ed25519KeyCache> key_objects_;  // keys_' keys, imported into OpenSSL once
};

/// Ed25519 verification of `signature` (64 bytes) over `message` with a raw 32-byte public key.
/// Exposed for benchmarks and tools; false on any malformed input.
bool VerifyEd25519(std::string_view public_key, std::string_view message,
                   std::string_view signature) noexcept;

}  // namespace v1
}  // namespace faltrain
