#pragma once
// Ed25519 public keys imported once into OpenSSL key objects, so a webhook's signature check costs
// the verification alone, not a key import and a context allocation per request. Private.

#include "faltrain/webhooks/verifier.hpp"

#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

typedef struct evp_pkey_st EVP_PKEY;

namespace faltrain {
inline namespace v1 {
namespace detail {

/// One key set's OpenSSL key objects; immutable, shared by every verifying thread.
class Ed25519Keys {
 public:
  explicit Ed25519Keys(const WebhookKeySet& raw_keys);
  ~Ed25519Keys();
  Ed25519Keys(const Ed25519Keys&) = delete;
  Ed25519Keys& operator=(const Ed25519Keys&) = delete;

  /// True when any key verifies `signature` (64 bytes) over `message`.
  bool VerifyAny(std::string_view message, std::string_view signature) const noexcept;

 private:
  std::vector<EVP_PKEY*> keys_;  // owned; keys that did not import are left out
};

/// The `Ed25519Keys` of the key set a `JwksCache` hands out, rebuilt only when the set changes
/// (a refresh or a rotation). Thread-safe.
class Ed25519KeyCache {
 public:
  /// The keys of `set` (null for a null set).
  std::shared_ptr<const Ed25519Keys> For(const std::shared_ptr<const WebhookKeySet>& set);

 private:
  std::mutex mu_;
  // Which set `keys_` was built from. A JwksCache never changes a set it handed out, so identity
  // is enough; the weak_ptr tells whether the address still means that set.
  std::weak_ptr<const WebhookKeySet> set_;
  const WebhookKeySet* set_address_ = nullptr;
  std::shared_ptr<const Ed25519Keys> keys_;
};

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
