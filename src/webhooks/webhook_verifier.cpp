// WebhookVerifier: fal's Ed25519 webhook signature scheme (fal-protocol.md §4.4), exactly.

#include "faltrain/webhooks/verifier.hpp"

#include "webhooks/detail/ed25519_keys.hpp"
#include "webhooks/detail/encoding.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <charconv>
#include <cstdlib>
#include <memory>

namespace faltrain {
inline namespace v1 {
namespace {

auto Reject(std::string message) { return fail(errc::signature_invalid, std::move(message)); }

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};

bool TryKeys(detail::Ed25519KeyCache& key_objects, const std::shared_ptr<const WebhookKeySet>& keys,
             std::string_view message, std::string_view signature) {
  auto prepared = key_objects.For(keys);
  return prepared && prepared->VerifyAny(message, signature);
}

}  // namespace

bool VerifyEd25519(std::string_view public_key, std::string_view message,
                   std::string_view signature) noexcept {
  if (public_key.size() != 32 || signature.size() != 64) return false;
  std::unique_ptr<EVP_PKEY, PkeyDeleter> pkey(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(public_key.data()),
      public_key.size()));
  if (!pkey) return false;
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  // Ed25519 is a one-shot scheme: no digest, no streaming updates.
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

WebhookVerifier::WebhookVerifier(std::shared_ptr<JwksCache> keys, WebhookVerifierOptions options,
                                 std::shared_ptr<Clock> clock)
    : keys_(std::move(keys)), options_(std::move(options)),
      clock_(clock ? std::move(clock) : MakeSystemClock()),
      key_objects_(std::make_shared<detail::Ed25519KeyCache>()) {}

result<VerifiedWebhook> WebhookVerifier::Verify(const HttpHeaders& headers,
                                                std::string_view body) const {
  for (auto name : {kWebhookRequestIdHeader, kWebhookUserIdHeader, kWebhookTimestampHeader,
                    kWebhookSignatureHeader}) {
    if (!headers.Has(name)) return Reject(fmt::format("missing header {}", name));
  }
  VerifiedWebhook out;
  out.request_id = std::string(headers.Get(kWebhookRequestIdHeader));
  out.user_id = std::string(headers.Get(kWebhookUserIdHeader));
  const std::string_view timestamp = headers.Get(kWebhookTimestampHeader);
  const std::string_view signature_hex = headers.Get(kWebhookSignatureHeader);
  if (out.request_id.empty()) return Reject("empty header X-Fal-Webhook-Request-Id");

  // 1. Replay guard: |now − timestamp| ≤ tolerance.
  std::int64_t ts = 0;
  auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
  if (timestamp.empty() || ec != std::errc() || end != timestamp.data() + timestamp.size()) {
    return Reject("X-Fal-Webhook-Timestamp is not an integer number of seconds");
  }
  out.timestamp = ts;
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               clock_->WallNow().time_since_epoch()).count();
  // Compare without overflow: a hostile timestamp can be near INT64_MIN/MAX.
  const std::int64_t tolerance = options_.tolerance.count();
  const bool too_old = ts < now && static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(ts) >
                                       static_cast<std::uint64_t>(tolerance);
  const bool too_new = ts > now && static_cast<std::uint64_t>(ts) - static_cast<std::uint64_t>(now) >
                                       static_cast<std::uint64_t>(tolerance);
  if (too_old || too_new) {
    return Reject(fmt::format("timestamp {} is outside the {} s window around now ({})", ts,
                              tolerance, now));
  }

  if (!options_.pinned_user_id.empty() && out.user_id != options_.pinned_user_id) {
    return Reject(fmt::format("user id \"{}\" is not the pinned user", out.user_id));
  }

  // 4. The signature: hex of 64 bytes.
  auto signature = detail::HexDecode(signature_hex);
  if (!signature) return Reject("X-Fal-Webhook-Signature is not hex");
  if (signature->size() != 64) {
    return Reject(fmt::format("X-Fal-Webhook-Signature is {} bytes, not 64", signature->size()));
  }

  // 2–3. The signed message over the exact body bytes, header strings verbatim.
  std::string message;
  message.reserve(out.request_id.size() + out.user_id.size() + timestamp.size() + 64 + 3);
  message.append(out.request_id).append("\n").append(out.user_id).append("\n");
  message.append(timestamp).append("\n").append(detail::Sha256Hex(body));

  // 5. Any key verifies ⇒ valid. On failure, the keys may have rotated: refetch (rate-limited).
  FALTRAIN_TRY(auto keys, keys_->Keys());
  if (TryKeys(*key_objects_, keys, message, *signature)) return out;
  FALTRAIN_TRY(auto fresh, keys_->RefreshAfterFailure(keys));
  if (TryKeys(*key_objects_, fresh, message, *signature)) return out;
  return Reject("signature does not match any webhook key");
}

result<WebhookEvent> WebhookVerifier::VerifyAndParse(const HttpHeaders& headers,
                                                     std::string_view body) const {
  FALTRAIN_TRY(auto verified, Verify(headers, body));
  FALTRAIN_TRY(auto event, WebhookEvent::Parse(body, options_.parse));
  // The signature binds the header id. Which of the body's two ids fal puts there after internal
  // retries is not documented (reference §9): either one ties the signed header to this body.
  const bool names_request = verified.request_id == event.request_id ||
                             (!event.gateway_request_id.empty() && verified.request_id == event.gateway_request_id);
  if (!names_request) {
    return Reject(fmt::format("header request id \"{}\" is neither the body's request_id \"{}\" nor its "
                              "gateway_request_id \"{}\"",
                              verified.request_id, event.request_id, event.gateway_request_id));
  }
  return event;
}

}  // namespace v1
}  // namespace faltrain
