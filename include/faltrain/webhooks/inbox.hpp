#pragma once
/// @file
/// Where a verified webhook goes before it is acknowledged. `WebhookHandler` needs only this; the
/// job stores of `faltrain::jobs` implement it, and so can any other durable queue.

#include <faltrain/client/result.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace faltrain {
inline namespace v1 {

/// A calendar time point, as stored by the inbox and the job store.
using WallTime = std::chrono::system_clock::time_point;

/// One received webhook, stored before it is acknowledged.
struct InboxEvent {
  std::string request_id;  ///< the body's `request_id` (verified): the inbox key, one event per request
  std::string body;        ///< the raw body, exactly as received and verified
  std::string user_id;     ///< `X-Fal-Webhook-User-Id`
  std::int64_t signed_at = 0;  ///< `X-Fal-Webhook-Timestamp`, Unix seconds
  WallTime received_at{};  ///< when the handler recorded it (the handler's clock)
  bool processed = false;  ///< set once a processor applied it (`JobStore::CompleteWebhook`)
  std::string processing_note;  ///< what processing did ("applied", "job already final", ...)
  /// The job named by the delivery URL's verified job token (see job_token.hpp); unset when the
  /// URL had none or it did not verify. Used only when no job has the request id.
  std::optional<std::int64_t> job_id;
  /// The body's `gateway_request_id` (fal's last internal attempt), when sent; the signed header id
  /// is one of these two.
  std::string gateway_request_id;
};

/// Receives what `WebhookInbox::RecordWebhookAsync` made of one event: true when it was stored,
/// false when an event for its request id already was, or why it could not be stored.
using RecordCallback = std::function<void(result<bool> inserted)>;

/// Durable storage for received webhooks. Implementations are thread-safe.
class WebhookInbox {
 public:
  virtual ~WebhookInbox() = default;
  /// Durably records a received webhook. Returns false (and changes nothing) when an event for
  /// that request id is already stored.
  virtual result<bool> RecordWebhook(const InboxEvent& event) = 0;
  /// `RecordWebhook` without making the caller wait: `done` runs exactly once, after the event is
  /// durable (or could not be stored), on a thread of the inbox's choosing — possibly this one,
  /// before this returns. `done` must not throw and should not block: it may run on the thread
  /// that commits everyone's events. This default records on the calling thread; the job stores
  /// override it with a group commit (many callers, one transaction, no thread waiting per event).
  virtual void RecordWebhookAsync(InboxEvent event, RecordCallback done) {
    done(RecordWebhook(event));
  }
};

}  // namespace v1
}  // namespace faltrain
