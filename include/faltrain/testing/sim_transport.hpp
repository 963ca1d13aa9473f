#pragma once
/// @file
/// Test mode: an offline simulator of fal's queue, storage and webhooks behind the `Transport`
/// interface. `CreateTrainingClient` (test_mode.hpp) puts it behind a client when
/// `ClientOptions::test_mode` is set (AVATAR_TEST_MODE=true).
///
/// It routes by URL path and ignores scheme and host, so the client's usual hosts
/// (https://queue.fal.run, https://rest.fal.ai, https://v3.fal.media) all reach it, and so does a
/// local server in front of it (`faltrain-sim`). URLs it returns point at the scheme and host the
/// request came to (file URLs at `SimOptions::cdn_base_url` when set).
///
/// @code{.unparsed}
///   POST /<endpoint id>[?fal_webhook=<url>]        submit (header X-Faltrain-Avatar-Id names ids)
///   GET  /[ns/]<owner>/<alias>/requests/<id>/status[?logs=1]
///   GET  /[ns/]<owner>/<alias>/requests/<id>/status/stream[?logs=1]   server-sent events
///   GET  /[ns/]<owner>/<alias>/requests/<id>        result
///   PUT  /[ns/]<owner>/<alias>/requests/<id>/cancel
///   POST /storage/upload/initiate, /storage/upload/initiate-multipart   (+ PUT/POST on the upload URL)
///   GET  /files/...                                 uploaded and generated files
///   GET  /.well-known/jwks.json                     the webhook signing keys
/// @endcode
///
/// Authorization: a missing `Authorization` header is accepted (test mode has no key) unless
/// `SimOptions::api_key` is set; a present one must read `Key <id>:<secret>` (fal's 401 otherwise).

#include <faltrain/client/clock.hpp>
#include <faltrain/client/result.hpp>
#include <faltrain/client/trainers.hpp>
#include <faltrain/client/transport.hpp>
#include <faltrain/testing/sim_status_stream.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace faltrain {
inline namespace v1 {

/// What a fault does. HTTP faults answer (or fail) one request; the others change a simulated
/// request's outcome or the delivery of its webhook.
enum class SimFaultKind {
  kRateLimit,           ///< 429 {"detail":...} with Retry-After = `delay` (at least 1 s)
  kBadGateway,          ///< 502 nginx HTML page, no x-fal-request-id (not processed)
  kServiceUnavailable,  ///< 503 nginx HTML page, no x-fal-request-id (not processed)
  kDropConnection,      ///< processed, then `Send` fails with errc::network_error; a status
                        ///< stream (op status_stream) is cut after `delay` (0: after its first event)
  kSlowResponse,        ///< sleeps `delay` on the clock, then answers normally
  kTrainingFailure,     ///< the request runs, then ends in ERROR (result 500, webhook ERROR)
  kWebhookDrop,         ///< the webhook is never delivered
  kWebhookDuplicate,    ///< the webhook is delivered twice
  kWebhookDelay,        ///< the webhook is first attempted `delay` after the request finished
  kWebhookOutOfOrder,   ///< the webhook is held back until the next other webhook is delivered
                        ///< (or `delay`, default 60 s, passes)
  kWebhookPayloadError, ///< status OK with "payload": null and fal's "payload_error" text
};
/// The fault's name, as `ParseSimFaultKind` reads it.
std::string_view to_string(SimFaultKind k) noexcept;
/// The inverse of `to_string(SimFaultKind)` ("rate_limit", "bad_gateway", "service_unavailable",
/// "drop_connection", "slow_response", "training_failure", "webhook_drop", "webhook_duplicate",
/// "webhook_delay", "webhook_out_of_order", "webhook_payload_error"); case-insensitive.
result<SimFaultKind> ParseSimFaultKind(std::string_view text);

/// Which calls an HTTP fault applies to.
/// `kStatus` is a status poll, `kStatusStream` a status stream (server-sent events).
enum class SimOperation { kAny, kSubmit, kStatus, kResult, kCancel, kStorage, kJwks, kStatusStream };
/// "any", "submit", "status", "result", "cancel", "storage", "jwks", "status_stream".
std::string_view to_string(SimOperation op) noexcept;
/// The inverse of `to_string(SimOperation)`; case-insensitive.
result<SimOperation> ParseSimOperation(std::string_view text);

/// One fault rule. Every non-empty matcher must match; then it fires with probability `rate`
/// (seeded RNG), at most `count` times (negative = unlimited).
struct SimFault {
  SimFaultKind kind = SimFaultKind::kServiceUnavailable;  ///< what happens when it fires
  SimOperation operation = SimOperation::kAny;  ///< HTTP faults only
  std::string endpoint_id;   ///< the request's endpoint id starts with this ("fal-ai/flux-pro-trainer")
  std::string request_id;    ///< exact request id (never matches a submit: the id is not yet known)
  std::string input_marker;  ///< a substring of the submitted input JSON
  int count = 1;       ///< times it may fire; negative = unlimited
  double rate = 1.0;   ///< probability of firing on a matching call, 0..1
  std::chrono::milliseconds delay{0};  ///< Retry-After, response delay or webhook delay

  /// Parses "kind[:key=value,...]" with keys op, endpoint, id, marker, count, rate, delay_ms,
  /// e.g. "rate_limit:op=status,count=2,delay_ms=3000" or "service_unavailable:rate=0.1,count=-1".
  static result<SimFault> Parse(std::string_view spec);
};

/// When simulated webhooks are delivered.
enum class SimDelivery {
  kAuto,        ///< a background thread (it follows a non-system clock by polling it every ~5 ms)
  kBackground,  ///< same as kAuto
  kManual,      ///< only when `SimTransport::RunDue()` is called (deterministic tests)
};
/// "auto", "background", "manual".
std::string_view to_string(SimDelivery d) noexcept;
/// The inverse of `to_string(SimDelivery)`; case-insensitive.
result<SimDelivery> ParseSimDelivery(std::string_view text);

/// How the simulator behaves: timings, webhooks, faults, keys. `FromEnvironment` reads the seed's
/// test-mode variables.
struct SimOptions {
  /// Running time of a simulated training (FAL_MOCK_TRAINING_DURATION seconds; default 30 s).
  std::chrono::milliseconds training_duration{std::chrono::seconds(30)};
  /// POST signed webhooks when a request with `fal_webhook` finishes (FAL_ENABLE_WEBHOOK_SIMULATION).
  bool webhook_simulation = false;
  /// Seed for request ids and outputs; 0 = random.
  std::uint64_t seed = 0;

  /// Time spent IN_QUEUE before a training starts, and the queue position reported at submission
  /// (it counts down to 0 over that time). Generation and unknown endpoints queue for at most 500 ms.
  std::chrono::milliseconds queue_duration{std::chrono::seconds(3)};
  int initial_queue_position = 2;  ///< see `queue_duration`; negative counts as 0
  /// Running time of image generation endpoints.
  std::chrono::milliseconds generation_duration{std::chrono::seconds(2)};
  /// Running time of endpoints the simulator does not model ("generic": they echo their input).
  std::chrono::milliseconds generic_duration{std::chrono::seconds(1)};
  /// A running request stops this long after a cancel (unless `cancel_stops_running` is false,
  /// in which case it keeps running to completion as fal warns it may).
  std::chrono::milliseconds cancel_grace{std::chrono::seconds(1)};
  bool cancel_stops_running = true;  ///< see `cancel_grace`
  /// Reject invalid input at submit with 422 (off: like fal's queue, the request is accepted and
  /// completes with the 422 as its result and webhook payload).
  bool validate_on_submit = false;

  /// When set, `Authorization: Key <api_key>` is required (401 otherwise).
  std::string api_key;
  /// Base of generated and uploaded file URLs, e.g. "https://v3.fal.media"; empty = the scheme and
  /// host of the request that created them (what `faltrain-sim` uses).
  std::string cdn_base_url = "https://v3.fal.media";
  /// Trainer specs for validation and outputs; null = `TrainerRegistry::WithBuiltins()`.
  std::shared_ptr<const TrainerRegistry> trainers;
  /// Faults to inject (see `SimFault`); more can be added with `SimTransport::AddFault`.
  std::vector<SimFault> faults;

  // -- webhooks --------------------------------------------------------------------------------
  SimDelivery delivery = SimDelivery::kAuto;  ///< which thread delivers webhooks, and when
  /// Sends the webhooks; null = a `CurlTransport` (plain http allowed only to loopback hosts).
  std::shared_ptr<Transport> webhook_transport;
  /// Attempts per webhook (fal: 10 over about two hours) and the backoff between them: first
  /// `webhook_retry_base`, doubling, capped at `webhook_retry_max`.
  int webhook_max_attempts = 10;
  std::chrono::milliseconds webhook_retry_base{std::chrono::seconds(15)};  ///< first backoff
  std::chrono::milliseconds webhook_retry_max{std::chrono::minutes(30)};   ///< backoff cap
  std::chrono::milliseconds webhook_timeout{std::chrono::seconds(15)};     ///< per delivery attempt
  /// Source of `X-Fal-Webhook-Timestamp`; null = the simulator's clock. Set `MakeSystemClock()`
  /// when the simulator runs on a `VirtualClock` but the receiver checks timestamps against real
  /// time (fal's 300-second replay window).
  std::shared_ptr<Clock> webhook_clock;
  /// `X-Fal-Webhook-User-Id`.
  std::string webhook_user_id = "faltrain-sim-user";
  /// 32-byte Ed25519 private seed as 64 hex digits; empty = derived from `seed` (random if 0).
  std::string signing_key_seed_hex;

  /// Called with one line per notable event (submission, cancel, fault fired, webhook attempt),
  /// from whichever thread caused it, possibly while the simulator holds its lock: it must not
  /// call back into the simulator. Never carries keys. Null = silent.
  std::function<void(const std::string&)> on_event;

  /// Reads FAL_MOCK_TRAINING_DURATION (seconds, fractions allowed), FAL_ENABLE_WEBHOOK_SIMULATION
  /// and FALTRAIN_SIM_SEED over the defaults.
  static result<SimOptions> FromEnvironment();
};

/// One webhook delivery attempt, for tests and the server's log.
struct SimWebhookAttempt {
  std::string request_id;       ///< the simulated request the webhook reports
  std::string url;              ///< the request's `fal_webhook` URL
  int attempt = 0;              ///< 1-based
  int http_status = 0;          ///< 0 when the transport failed
  std::string transport_error;  ///< set when it failed
  HttpRequest request;          ///< exactly what was sent (headers and body)
};

/// The in-process simulator. Thread-safe. Time comes from the given clock (a `VirtualClock` runs a
/// thirty-minute training instantly).
class SimTransport final : public Transport {
 public:
  /// A simulator with no requests yet; `clock` drives queueing, running and webhook timing.
  explicit SimTransport(SimOptions options, std::shared_ptr<Clock> clock = MakeSystemClock());
  ~SimTransport() override;
  SimTransport(const SimTransport&) = delete;
  SimTransport& operator=(const SimTransport&) = delete;

  /// Answers like fal would (see the file comment for the routes); never touches the network,
  /// except to deliver webhooks through `SimOptions::webhook_transport`.
  result<HttpResponse> Send(const HttpRequest& request) override;
  /// A status stream's events as the simulated request changes (see `OpenStatusStream`), waiting
  /// on the simulator's clock; any other request as `Send`, its body handed over whole.
  result<HttpResponse> SendStreaming(const HttpRequest& request, const StreamControl& control) override;
  /// True.
  bool CanStream() const override { return true; }
  /// Opens a status stream for a server to serve (`faltrain-sim` does); fails with
  /// `errc::invalid_argument` when `request` is not a GET of one, and as `Send` on a fault.
  result<std::unique_ptr<SimStatusStream>> OpenStatusStream(const HttpRequest& request);
  /// `Send` for an event-driven server: a `slow_response` fault does not sleep; its delay is
  /// returned in `delay` (zero otherwise) for the caller to wait out before it answers, without
  /// holding a thread. The answer is computed now.
  result<HttpResponse> SendDeferred(const HttpRequest& request, std::chrono::milliseconds& delay);

  /// Adds a fault rule at run time.
  void AddFault(SimFault fault);
  /// Starts signing with a new key. The JWKS then serves the new key first and, when
  /// `keep_previous` is true, the old ones after it.
  void RotateSigningKey(bool keep_previous = true);
  /// The JWKS document served at /.well-known/jwks.json.
  std::string JwksJson() const;
  /// The current public key as the JWKS `x`: base64url, padded with '=' like fal's live JWKS.
  std::string PublicKeyBase64Url() const;

  /// Delivers every webhook attempt due by now (in the calling thread); returns how many attempts
  /// were made. Use with `SimDelivery::kManual` and a `VirtualClock`.
  std::size_t RunDue();
  /// When the next webhook attempt is due, if any is pending.
  std::optional<Clock::steady_time> NextDue() const;
  /// Webhook attempts made so far, in order.
  std::vector<SimWebhookAttempt> WebhookLog() const;

  /// Ids of every submission the simulator received (dropped connections included), in order.
  std::vector<std::string> ReceivedSubmissions() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace faltrain
