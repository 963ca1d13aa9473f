#pragma once
/// @file
/// A server-agnostic webhook endpoint: give it the method, headers and raw body of a request; it
/// answers with a status code and a short JSON body, and records the verified event in the job
/// inbox (a `WebhookInbox`, e.g. a job store) before answering 2xx. Any HTTP server can host it:
///
/// @code
///   faltrain::WebhookHandler handler(verifier, inbox);
///   auto reply = handler.Handle(method, target, headers, body);   // target: "/path?job=..."
///   respond(reply.status, reply.content_type, reply.body);
/// @endcode
///
/// With `job_token_secret` set, a verified job token in the target's query (job_token.hpp) is
/// recorded with the event, so it can find its job even without the request id. A token that does
/// not verify is ignored: the event is still recorded (by request id) and answered 200.
///
///   405 not POST · 415 not application/json · 413 body over `max_body_bytes` · 401 bad signature ·
///   400 bad payload · 503 keys or store unavailable, or too many events waiting for the store
///   (fal retries) · 200 recorded (or duplicate).
///
/// `HandleAsync` is the same without blocking: the reply comes through a callback once the inbox
/// made the event durable (`WebhookInbox::RecordWebhookAsync`), so an event-driven server holds no
/// thread per request. `max_pending_records` bounds what waits for the store: beyond it the handler
/// answers 503 at once instead of queueing more (a slow disk costs retries, not unbounded memory).

#include <faltrain/webhooks/inbox.hpp>
#include <faltrain/client/transport.hpp>
#include <faltrain/webhooks/event.hpp>
#include <faltrain/webhooks/verifier.hpp>

#include <cstddef>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace faltrain {
inline namespace v1 {

/// Limits of a `WebhookHandler`.
struct WebhookHandlerOptions {
  /// Bodies larger than this are answered 413.
  std::size_t max_body_bytes = 1u << 20;
  /// The secret job tokens are verified with (configuration, never logged); empty: tokens ignored.
  std::string job_token_secret;
  /// Verified events that may wait for the inbox at once; the next ones are answered 503 (fal
  /// retries them later) until the inbox catches up. 0: no limit.
  std::size_t max_pending_records = 8192;
};

/// What the handler made of a job token in the request target.
enum class JobTokenCheck {
  kAbsent,    ///< no `job` parameter (or no secret configured)
  kVerified,  ///< it verified; `WebhookReply::job_id` names the job
  kRejected,  ///< malformed or a wrong HMAC: ignored
};

/// "absent", "verified" or "rejected" (for logs and metrics).
std::string_view to_string(JobTokenCheck check) noexcept;
/// The inverse of `to_string(JobTokenCheck)`; case-insensitive.
result<JobTokenCheck> ParseJobTokenCheck(std::string_view text);

/// What to answer: status, content type and body, plus what happened for logs.
struct WebhookReply {
  int status = 500;                                ///< HTTP status to send (see the file comment)
  std::string content_type = "application/json";  ///< the Content-Type to send (always JSON)
  std::string body;            ///< {"status":"accepted"|"duplicate"} or {"error":"..."}
  std::string allow;           ///< the `Allow` header value for a 405
  /// The verified event (set for 200 replies).
  std::optional<WebhookEvent> event;
  bool duplicate = false;      ///< the event was already in the inbox
  /// Why the request was rejected (for logs); empty on success.
  std::string reason;
  /// The job token's verdict (200 replies).
  JobTokenCheck job_token = JobTokenCheck::kAbsent;
  /// The job a verified token names.
  std::optional<std::int64_t> job_id;
};

/// Receives a `WebhookHandler::HandleAsync` reply.
using WebhookReplyCallback = std::function<void(WebhookReply reply)>;

/// Verifies, parses and records one webhook request. Thread-safe when its verifier and inbox are
/// (the provided ones are).
class WebhookHandler {
 public:
  /// `clock` stamps `InboxEvent::received_at` (null = the system clock).
  WebhookHandler(std::shared_ptr<WebhookVerifier> verifier, std::shared_ptr<WebhookInbox> inbox,
                 WebhookHandlerOptions options = {}, std::shared_ptr<Clock> clock = MakeSystemClock());

  /// `method` as sent ("POST"), headers (any case), the raw body bytes; no job token.
  WebhookReply Handle(std::string_view method, const HttpHeaders& headers,
                      std::string_view body) const;
  /// The same, with the request target (path and query, as received) that may carry a job token.
  WebhookReply Handle(std::string_view method, std::string_view target, const HttpHeaders& headers,
                      std::string_view body) const;
  /// `Handle` without blocking on the inbox: verifies on this thread, then `done` runs exactly once
  /// with the reply — at once for a rejection, else when the inbox answered (on its thread, see
  /// `WebhookInbox::RecordWebhookAsync`). `body` is moved into the recorded event.
  void HandleAsync(std::string_view method, std::string_view target, const HttpHeaders& headers,
                   std::string body, WebhookReplyCallback done) const;
  /// Verified events waiting for the inbox now (see `WebhookHandlerOptions::max_pending_records`).
  std::size_t pending_records() const noexcept { return pending_->load(); }

 private:
  struct Verified;
  // Everything before the inbox: the rejection to send, or nullopt with `out` filled.
  std::optional<WebhookReply> Check(std::string_view method, std::string_view target,
                                    const HttpHeaders& headers, std::string_view body, Verified& out) const;
  bool TryReserve() const noexcept;

  std::shared_ptr<WebhookVerifier> verifier_;
  std::shared_ptr<WebhookInbox> inbox_;
  WebhookHandlerOptions options_;
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<std::atomic<std::size_t>> pending_;  // events handed to the inbox, unanswered
};

}  // namespace v1
}  // namespace faltrain
