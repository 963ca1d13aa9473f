#pragma once
/// @file
/// Client options: from code, from the environment, or both.
///
/// Naming rule for every settings struct of faltrain's public API: a plain aggregate of settings
/// that a constructor, factory or call takes is named `<Thing>Options` (`ClientOptions`,
/// `WatchOptions`, `SubmitOptions`, `CurlTransportOptions`, `JobProcessorOptions`,
/// `SqliteJobStoreOptions`, `SimOptions`, `TrainingSetOptions`, ...), whether it is filled in code or
/// loaded (`ClientOptions::FromEnvironment`, `SimOptions::FromEnvironment`). Types with behaviour
/// keep the name of their role: `RetryPolicy` computes backoffs, `Endpoints` is a value inside
/// `ClientOptions`.

#include <faltrain/client/logging.hpp>
#include <faltrain/client/result.hpp>
#include <faltrain/client/retry.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace faltrain {
inline namespace v1 {

/// Where fal lives. Override for a local simulator or a proxy.
struct Endpoints {
  std::string queue_url = "https://queue.fal.run";  ///< queue API: submit, status, result, cancel
  std::string rest_url = "https://rest.fal.ai";     ///< REST API: storage uploads
  /// Webhook signing keys. The client never fetches it: pass it to `JwksCacheOptions::url`.
  std::string jwks_url = "https://rest.fal.ai/.well-known/jwks.json";
};

/// Everything a `TrainingClient` is created with (`TrainingClient::Create`, `CreateTrainingClient`).
struct ClientOptions {
  /// "key_id:key_secret", sent as `Authorization: Key <api_key>`. Trimmed before use.
  std::string api_key;
  Endpoints endpoints;  ///< fal's hosts; http(s) URLs without a trailing slash
  /// Default webhook URL for submissions (`fal_webhook`); empty = none.
  std::string webhook_url;
  /// Test mode: talk to the offline simulator instead of fal (no key, no network).
  bool test_mode = false;
  /// Connection setup and total time of one HTTP request. The client puts both on every request it
  /// sends (`HttpRequest::connect_timeout`, `HttpRequest::timeout`), so they apply to whichever
  /// transport it has: its own `CurlTransport`, or one the caller passed to `TrainingClient::Create`
  /// (every `Transport` must honour them). Never silently dropped.
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  /// Whole-request limit of that `CurlTransport` (a request may set its own `HttpRequest::timeout`).
  std::chrono::milliseconds request_timeout{std::chrono::seconds(120)};
  /// Appended after `faltrain/<version> (<os>)` in the User-Agent header.
  std::string user_agent_suffix;
  /// Retries of status, result, cancel and upload calls; a submit is retried only when fal
  /// provably never received it (see `TrainingClient::Submit`).
  RetryPolicy retry;
  LogSink log;  ///< where the client logs (every request at debug level); empty = silent
  /// Uploads larger than this many bytes (90 MiB) use fal's multipart upload, in parts of
  /// `multipart_part_size`. Must be > 0.
  std::size_t multipart_threshold = 90u << 20;
  std::size_t multipart_part_size = 10u << 20;   ///< bytes per multipart part (10 MiB); must be > 0
  /// Upload PUTs run without `request_timeout` (a 90 MiB zip on a slow uplink takes longer; fal's
  /// Python client sets no limit either). Instead one aborts (`errc::timeout`) when it moves fewer
  /// than this many bytes per second for `upload_low_speed_time`. 0 = no guard.
  std::size_t upload_low_speed_limit = 1024;
  std::chrono::seconds upload_low_speed_time{60};  ///< see `upload_low_speed_limit`; 0 = no guard

  /// Reads the environment over the defaults:
  ///   FAL_KEY, else FAL_KEY_ID + ":" + FAL_KEY_SECRET, else FAL_API_KEY (the seed's name);
  ///   FAL_WEBHOOK_URL; AVATAR_TEST_MODE (true/1/yes/on);
  ///   FALTRAIN_QUEUE_URL, FALTRAIN_REST_URL, FALTRAIN_JWKS_URL;
  ///   FALTRAIN_CONNECT_TIMEOUT_MS, FALTRAIN_REQUEST_TIMEOUT_MS; FALTRAIN_USER_AGENT (suffix).
  /// Fails with `errc::invalid_argument` on unparsable numbers or URLs. A missing key is not an
  /// error here (test mode needs none); `TrainingClient::Create` reports it.
  static result<ClientOptions> FromEnvironment();

  /// The full User-Agent header value.
  std::string UserAgent() const;

  /// A printable summary with the key redacted, for debug output.
  std::string Describe() const;
};

/// "4c46f3ab…(redacted)": enough to tell keys apart, never enough to use one.
std::string RedactKey(std::string_view key);

/// Trims whitespace and newlines from both ends (a trailing newline is a classic 401).
std::string TrimKey(std::string_view key);

/// Parses the seed's boolean environment values: true/1/yes/on (any case) → true.
bool ParseEnvBool(std::string_view value) noexcept;

}  // namespace v1
}  // namespace faltrain
