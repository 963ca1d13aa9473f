// Ed25519Keys / Ed25519KeyCache: import each webhook key once, verify with it many times.

#include "webhooks/detail/ed25519_keys.hpp"

#include <openssl/evp.h>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};

// One verification context per thread, reset between uses.
EVP_MD_CTX* ThreadContext() noexcept {
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  return ctx.get();
}

}  // namespace

Ed25519Keys::Ed25519Keys(const WebhookKeySet& raw_keys) {
  keys_.reserve(raw_keys.size());
  for (const auto& raw : raw_keys) {
    if (raw.size() != 32) continue;
    EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
    if (key) keys_.push_back(key);
  }
}

Ed25519Keys::~Ed25519Keys() {
  for (EVP_PKEY* key : keys_) EVP_PKEY_free(key);
}

bool Ed25519Keys::VerifyAny(std::string_view message, std::string_view signature) const noexcept {
  if (signature.size() != 64) return false;
  EVP_MD_CTX* ctx = ThreadContext();
  if (!ctx) return false;
  for (EVP_PKEY* key : keys_) {
    EVP_MD_CTX_reset(ctx);
    // Ed25519 is a one-shot scheme: no digest, no streaming updates. Verifying only reads `key`,
    // so threads share it.
    if (EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) != 1) continue;
    if (EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                         reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1) {
      return true;
    }
  }
  return false;
}

std::shared_ptr<const Ed25519Keys> Ed25519KeyCache::For(const std::shared_ptr<const WebhookKeySet>& set) {
  if (!set) return nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  if (keys_ && set_address_ == set.get() && !set_.expired()) return keys_;
  keys_ = std::make_shared<const Ed25519Keys>(*set);
  set_ = set;
  set_address_ = set.get();
  return keys_;
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
