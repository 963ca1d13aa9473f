#pragma once
/// @file
/// Per-job webhook tokens: the webhook URL sent with a submit carries `job=ID.HMAC`, so a webhook
/// can be matched to its job even when the job never learned its request id (the submitting process
/// died, or the submit's answer was lost, after fal accepted it).
///
/// The token is the job id, a dot, and the lowercase hex HMAC-SHA256 of "faltrain-job/v1:" followed
/// by the job id, keyed with the secret. The secret
/// comes from configuration (at least `kMinJobTokenSecretBytes` bytes), never from a URL; it is never
/// logged. Verification compares in constant time.

#include <faltrain/client/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faltrain {
inline namespace v1 {

/// The query parameter of a webhook URL that carries the job token.
inline constexpr std::string_view kJobTokenParameter = "job";
/// The shortest secret accepted for signing job tokens.
inline constexpr std::size_t kMinJobTokenSecretBytes = 16;

/// The token for `job_id`. Fails with `errc::invalid_argument` when `secret` is too short.
result<std::string> MakeJobToken(std::int64_t job_id, std::string_view secret);

/// `webhook_url` with `job=<token>` added to its query. Fails with `errc::invalid_argument` when
/// `secret` is too short or the URL is not http(s).
result<std::string> JobWebhookUrl(std::string_view webhook_url, std::int64_t job_id,
                                  std::string_view secret);

/// The job id `token` was made for, or nullopt when it is malformed or its HMAC does not verify with
/// `secret` (an empty or too short secret verifies nothing).
std::optional<std::int64_t> VerifyJobToken(std::string_view token, std::string_view secret);

/// The raw value of the `job` query parameter in a request target ("/path?a=1&job=..."), or empty.
std::string_view JobTokenFromTarget(std::string_view target);

}  // namespace v1
}  // namespace faltrain
