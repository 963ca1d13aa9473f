#pragma once
// Signs webhooks the way fal does, independently of faltrain's own code: OpenSSL for Ed25519,
// SHA-256, base64 and hex (no detail/encoding.hpp), so the tests check the verifier against the spec.

#include <faltrain/client/transport.hpp>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace webhook_test {

inline std::string Hex(std::string_view bytes) {
  std::string out;
  char buf[3];
  for (unsigned char c : bytes) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    out += buf;
  }
  return out;
}

inline std::string Sha256HexOpenSsl(std::string_view body) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  return Hex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

/// base64url of `bytes`, with or without '=' padding.
inline std::string Base64Url(std::string_view bytes, bool padded) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  for (auto& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  if (!padded) {
    while (!out.empty() && out.back() == '=') out.pop_back();
  }
  return out;
}

/// A fresh Ed25519 key pair.
class Signer {
 public:
  Signer() {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
    EVP_PKEY* key = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &key) != 1) {
      throw std::runtime_error("Ed25519 keygen failed");
    }
    EVP_PKEY_CTX_free(ctx);
    key_.reset(key);
  }

  std::string PublicKey() const {
    std::string raw(32, '\0');
    std::size_t len = raw.size();
    EVP_PKEY_get_raw_public_key(key_.get(), reinterpret_cast<unsigned char*>(raw.data()), &len);
    raw.resize(len);
    return raw;
  }

  std::string Sign(std::string_view message) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    std::string sig(64, '\0');
    std::size_t len = sig.size();
    if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
        EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
      throw std::runtime_error("Ed25519 sign failed");
    }
    sig.resize(len);
    return sig;
  }

  /// fal's four headers for `body`, plus Content-Type.
  faltrain::HttpHeaders Headers(std::string_view request_id, std::string_view user_id,
                                long long timestamp, std::string_view body) const {
    const std::string ts = std::to_string(timestamp);
    std::string message = std::string(request_id) + "\n" + std::string(user_id) + "\n" + ts + "\n" +
                          Sha256HexOpenSsl(body);
    faltrain::HttpHeaders h;
    h.Add("Content-Type", "application/json");
    h.Add("X-Fal-Webhook-Request-Id", std::string(request_id));
    h.Add("X-Fal-Webhook-User-Id", std::string(user_id));
    h.Add("X-Fal-Webhook-Timestamp", ts);
    h.Add("X-Fal-Webhook-Signature", Hex(Sign(message)));
    return h;
  }

 private:
  struct Free {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  };
  std::unique_ptr<EVP_PKEY, Free> key_;
};

/// {"keys":[{"kty":"OKP","crv":"Ed25519","x":...}, ...]}
inline std::string Jwks(const std::vector<std::string>& public_keys, bool padded = false) {
  std::string out = "{\"keys\":[";
  for (std::size_t i = 0; i < public_keys.size(); ++i) {
    if (i) out += ",";
    out += "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" + Base64Url(public_keys[i], padded) + "\"}";
  }
  return out + "]}";
}

/// The reference's payloads (fal-protocol.md §4.2).
inline const std::string kOkBody =
    R"({"request_id":"123e4567-e89b-12d3-a456-426614174000","gateway_request_id":"123e4567-e89b-12d3-a456-426614174000","status":"OK",)"
    R"("payload":{"diffusers_lora_file":{"url":"https://v3.fal.media/files/koala/w.safetensors","file_name":"pytorch_lora_weights.safetensors","file_size":89745224},)"
    R"("config_file":{"url":"https://v3.fal.media/files/koala/c.json"}},"error":null})";
inline const std::string kErrorBody =
    R"({"request_id":"123e4567-e89b-12d3-a456-426614174001","gateway_request_id":"123e4567-e89b-12d3-a456-426614174001","status":"ERROR","error":"Invalid status code: 422",)"
    R"("payload":{"detail":[{"loc":["body","prompt"],"msg":"field required","type":"value_error.missing"}]}})";
inline const std::string kPayloadErrorBody =
    R"({"request_id":"123e4567-e89b-12d3-a456-426614174002","gateway_request_id":"123e4567-e89b-12d3-a456-426614174002","status":"OK","payload":null,)"
    R"("payload_error":"Response payload is not JSON serializable. Either return a JSON serializable object or use the queue endpoint to retrieve the response."})";
/// Shaped like the captured real body: alphabetical keys, ", " separators, a seed beyond int64.
inline const std::string kCapturedStyleBody =
    R"({"error": null, "gateway_request_id": "gw-77", "payload": {"has_nsfw_concepts": [false], "images": [{"content_type": "image/jpeg", "height": 768, "url": "https://v3.fal.media/files/lion/O853q.jpeg", "width": 1024}], "prompt": "photo of ohwx person", "seed": 17454220438242315174, "timings": {"inference": 2.1}}, "request_id": "req-77", "status": "OK"})";

}  // namespace webhook_test
