#pragma once
// The simulator's webhook signing key: Ed25519 through OpenSSL, signing fal's webhook message
// (request id, user id, timestamp and the body's SHA-256, newline-separated). Private.

#include <faltrain/client/result.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace faltrain {
inline namespace v1 {
namespace detail {

class SimSigner {
 public:
  /// A key from a 32-byte private seed.
  static result<SimSigner> FromSeed(std::string_view seed32);

  /// The 64-byte Ed25519 signature of `message`.
  result<std::string> Sign(std::string_view message) const;
  /// The raw 32-byte public key.
  const std::string& public_key() const { return public_key_; }

  /// fal's signed message: request_id \n user_id \n timestamp \n sha256hex(body).
  static std::string WebhookMessage(std::string_view request_id, std::string_view user_id,
                                    std::string_view timestamp, std::string_view body);

 private:
  struct Key;
  explicit SimSigner(std::shared_ptr<Key> key, std::string public_key)
      : key_(std::move(key)), public_key_(std::move(public_key)) {}
  std::shared_ptr<Key> key_;
  std::string public_key_;
};

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
