#include "testing/detail/sim_signer.hpp"

#include "webhooks/detail/encoding.hpp"

#include <openssl/evp.h>

namespace faltrain {
inline namespace v1 {
namespace detail {

struct SimSigner::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

result<SimSigner> SimSigner::FromSeed(std::string_view seed32) {
  if (seed32.size() != 32) return fail(errc::invalid_argument, "Ed25519 seed must be 32 bytes");
  auto key = std::make_shared<Key>();
  key->pkey = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed32.data()), 32);
  if (key->pkey == nullptr) return fail(errc::invalid_argument, "OpenSSL rejected the Ed25519 seed");
  std::string public_key(32, '\0');
  std::size_t length = public_key.size();
  if (EVP_PKEY_get_raw_public_key(key->pkey, reinterpret_cast<unsigned char*>(public_key.data()),
                                  &length) != 1 ||
      length != 32) {
    return fail(errc::invalid_argument, "OpenSSL could not derive the Ed25519 public key");
  }
  return SimSigner(std::move(key), std::move(public_key));
}

result<std::string> SimSigner::Sign(std::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string signature(64, '\0');
  std::size_t length = signature.size();
  // Ed25519 is one-shot: no digest, a single EVP_DigestSign call.
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_->pkey) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      length != 64) {
    return fail(errc::invalid_argument, "Ed25519 signing failed");
  }
  return signature;
}

std::string SimSigner::WebhookMessage(std::string_view request_id, std::string_view user_id,
                                      std::string_view timestamp, std::string_view body) {
  std::string message;
  message.reserve(request_id.size() + user_id.size() + timestamp.size() + 67);
  message.append(request_id).append("\n").append(user_id).append("\n").append(timestamp);
  message.append("\n").append(Sha256Hex(body));
  return message;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
