// Per-job webhook tokens: HMAC-SHA256 over the job id, compared in constant time.

#include "faltrain/webhooks/job_token.hpp"

#include "client/detail/url.hpp"
#include "webhooks/detail/encoding.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <utility>

namespace faltrain {
inline namespace v1 {
namespace {

// Domain-separated, so the same secret used elsewhere never yields a valid job token.
std::string Mac(std::int64_t job_id, std::string_view secret) {
  const std::string message = fmt::format("faltrain-job/v1:{}", job_id);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  return detail::HexEncode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace

result<std::string> MakeJobToken(std::int64_t job_id, std::string_view secret) {
  if (secret.size() < kMinJobTokenSecretBytes) {
    return fail(errc::invalid_argument,
                fmt::format("the job token secret must have at least {} bytes", kMinJobTokenSecretBytes));
  }
  return fmt::format("{}.{}", job_id, Mac(job_id, secret));
}

result<std::string> JobWebhookUrl(std::string_view webhook_url, std::int64_t job_id, std::string_view secret) {
  if (!detail::IsHttpUrl(webhook_url)) return fail(errc::invalid_argument, "webhook URL must be http(s)");
  FALTRAIN_TRY(auto token, MakeJobToken(job_id, secret));
  auto url = detail::AddQuery(webhook_url, kJobTokenParameter, token);
  if (!url) return fail(errc::invalid_argument, "webhook URL must be http(s)");
  return std::move(*url);
}

std::optional<std::int64_t> VerifyJobToken(std::string_view token, std::string_view secret) {
  if (secret.size() < kMinJobTokenSecretBytes) return std::nullopt;
  const auto dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  std::int64_t id = 0;
  const char* first = token.data();
  const char* last = token.data() + dot;
  auto [end, ec] = std::from_chars(first, last, id);
  if (ec != std::errc() || end != last || id <= 0) return std::nullopt;
  const std::string want = Mac(id, secret);
  const std::string_view got = token.substr(dot + 1);
  if (got.size() != want.size() || CRYPTO_memcmp(got.data(), want.data(), want.size()) != 0) {
    return std::nullopt;
  }
  return id;
}

std::string_view JobTokenFromTarget(std::string_view target) {
  const auto question = target.find('?');
  if (question == std::string_view::npos) return {};
  std::string_view query = target.substr(question + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == kJobTokenParameter) return pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

}  // namespace v1
}  // namespace faltrain
