// Simulated webhooks (reference §4): fal's payloads, signed with Ed25519 over fal's message,
// delivered through a Transport when due, retried with bounded exponential backoff, by a
// background thread or by explicit RunDue() calls.

#include "testing/detail/sim_core.hpp"

#include "webhooks/detail/encoding.hpp"
#include <faltrain/client/json_writer.hpp>
#include "testing/detail/sim_python_json.hpp"

#include <faltrain/client/curl_transport.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace faltrain {
inline namespace v1 {
namespace detail {
namespace {

constexpr const char* kPayloadError =
    "Response payload is not JSON serializable. Either return a JSON serializable object or use "
    "the queue endpoint to retrieve the response.";

std::optional<Clock::steady_time> EarliestDue(const std::vector<SimWebhookJob>& jobs) {
  std::optional<Clock::steady_time> next;
  for (const auto& job : jobs) {
    if (!job.in_flight && (!next || job.due < *next)) next = job.due;
  }
  return next;
}

}  // namespace

void SimCore::ScheduleWebhook(const SimRequest& request, std::chrono::milliseconds delay, bool held,
                              bool duplicate) {
  SimWebhookJob job;
  job.serial = next_serial_++;
  job.request_id = request.id;
  job.url = request.webhook_url;
  job.delay = delay;
  job.due = request.timeline.finished + delay;
  job.held = held;
  job.duplicate = duplicate;
  webhooks_.push_back(std::move(job));
  wake_.notify_all();
}

void SimCore::RescheduleWebhook(const SimRequest& request) {
  for (auto& job : webhooks_) {
    if (job.request_id == request.id && job.attempts == 0 && !job.in_flight) {
      job.due = request.timeline.finished + job.delay;
    }
  }
  wake_.notify_all();
}

std::string SimCore::WebhookBody(const SimRequest& r) const {
  JsonWriter w;
  w.BeginObject().Field("request_id", r.id).Field("gateway_request_id", r.id);
  if (r.outcome == SimOutcome::kSuccess && r.webhook_payload_error) {
    w.Field("status", "OK").Key("payload").Null().Field("payload_error", kPayloadError);
  } else if (r.outcome == SimOutcome::kSuccess) {
    w.Field("status", "OK").Key("payload").Raw(r.output_json).Key("error").Null();
  } else {
    w.Field("status", "ERROR").Field("error", r.error_text).Key("payload").Raw(r.error_body);
  }
  w.EndObject();
  std::string compact = std::move(w).str();
  // fal's sender is Python: sorted keys, ", " and ": " separators.
  return PythonStyleJson(compact).value_or(compact);
}

result<HttpRequest> SimCore::SignedWebhook(const SimWebhookJob& job) {
  if (signers_.empty()) return fail(errc::invalid_argument, "no signing key");
  Clock& wall = options_.webhook_clock ? *options_.webhook_clock : *clock_;
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(wall.WallNow().time_since_epoch()).count();
  std::string timestamp = std::to_string(seconds);
  std::string message = SimSigner::WebhookMessage(job.request_id, options_.webhook_user_id,
                                                  timestamp, job.body);
  FALTRAIN_TRY(std::string signature, signers_.front().Sign(message));
  HttpRequest request;
  request.method = HttpMethod::kPost;
  request.url = job.url;
  request.timeout = options_.webhook_timeout;
  request.headers.Add("Content-Type", "application/json");
  request.headers.Add("X-Fal-Webhook-Request-Id", job.request_id);
  request.headers.Add("X-Fal-Webhook-User-Id", options_.webhook_user_id);
  request.headers.Add("X-Fal-Webhook-Timestamp", timestamp);
  request.headers.Add("X-Fal-Webhook-Signature", HexEncode(signature));
  request.body = job.body;
  return request;
}

Transport& SimCore::WebhookTransport() {
  if (!webhook_transport_) webhook_transport_ = std::make_shared<CurlTransport>();
  return *webhook_transport_;
}

std::size_t SimCore::RunDue() {
  struct Attempt {
    std::uint64_t serial;
    SimWebhookAttempt record;
    bool signed_ok;
  };
  std::vector<Attempt> batch;
  std::shared_ptr<Transport> transport;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const Clock::steady_time now = clock_->Now();
    std::vector<SimWebhookJob*> due;
    for (auto& job : webhooks_) {
      if (!job.in_flight && job.due <= now) due.push_back(&job);
    }
    std::sort(due.begin(), due.end(), [](const SimWebhookJob* a, const SimWebhookJob* b) {
      return a->due != b->due ? a->due < b->due : a->serial < b->serial;
    });
    if (!due.empty()) {
      WebhookTransport();
      transport = webhook_transport_;
    }
    for (SimWebhookJob* job : due) {
      auto it = requests_.find(job->request_id);
      if (job->body.empty() && it != requests_.end()) job->body = WebhookBody(it->second);
      job->in_flight = true;
      ++job->attempts;
      Attempt attempt{job->serial, {}, false};
      attempt.record.request_id = job->request_id;
      attempt.record.url = job->url;
      attempt.record.attempt = job->attempts;
      auto signed_request = SignedWebhook(*job);
      if (signed_request) {
        attempt.record.request = std::move(signed_request).value();
        attempt.signed_ok = true;
      } else {
        attempt.record.transport_error = signed_request.error().message;
      }
      batch.push_back(std::move(attempt));
    }
  }
  // Deliver without the lock: the receiver may take its time, or even call the simulator.
  for (auto& attempt : batch) {
    bool delivered = false;
    if (attempt.signed_ok) {
      auto response = transport->Send(attempt.record.request);
      if (response) {
        attempt.record.http_status = response.value().status;
        delivered = response.value().status >= 200 && response.value().status < 300;
      } else {
        attempt.record.transport_error = response.error().message;
      }
    }
    Emit(fmt::format("webhook {} attempt {} -> {}", attempt.record.request_id, attempt.record.attempt,
                     attempt.record.http_status != 0 ? std::to_string(attempt.record.http_status)
                                                     : attempt.record.transport_error));
    std::lock_guard<std::mutex> lock(mu_);
    webhook_log_.push_back(attempt.record);
    FinishAttempt(attempt.serial, delivered);
  }
  return batch.size();
}

void SimCore::FinishAttempt(std::uint64_t serial, bool delivered) {
  auto it = std::find_if(webhooks_.begin(), webhooks_.end(),
                         [&](const SimWebhookJob& j) { return j.serial == serial; });
  if (it == webhooks_.end()) return;
  const Clock::steady_time now = clock_->Now();
  if (delivered) {
    std::string request_id = it->request_id;
    if (it->duplicate) {
      // fal warns deliveries may repeat: send the same body once more, right away.
      it->duplicate = false;
      it->in_flight = false;
      it->attempts = 0;
      it->due = now;
    } else {
      webhooks_.erase(it);
    }
    for (auto& job : webhooks_) {
      if (job.held && job.request_id != request_id) {
        job.held = false;  // an out-of-order webhook goes right after the one that overtook it
        job.due = now;
      }
    }
  } else if (it->attempts >= options_.webhook_max_attempts) {
    Emit(fmt::format("webhook {} abandoned after {} attempts", it->request_id, it->attempts));
    webhooks_.erase(it);
  } else {
    auto backoff = options_.webhook_retry_base;
    for (int i = 1; i < it->attempts && backoff < options_.webhook_retry_max; ++i) backoff *= 2;
    it->due = now + std::min(backoff, options_.webhook_retry_max);
    it->in_flight = false;
  }
  wake_.notify_all();
}

std::optional<Clock::steady_time> SimCore::NextDue() const {
  std::lock_guard<std::mutex> lock(mu_);
  return EarliestDue(webhooks_);
}

std::vector<SimWebhookAttempt> SimCore::WebhookLog() const {
  std::lock_guard<std::mutex> lock(mu_);
  return webhook_log_;
}

void SimCore::StartScheduler() {
  if (options_.delivery == SimDelivery::kManual || !options_.webhook_simulation) return;
  scheduler_ = std::thread([this] { SchedulerLoop(); });
}

void SimCore::StopScheduler() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
}

void SimCore::SchedulerLoop() {
  // A system clock's time points are steady_clock ones, so the thread can sleep until the next
  // delivery; any other clock (e.g. a VirtualClock moved by the client's sleeps) is polled.
  const bool real_clock = dynamic_cast<SystemClock*>(clock_.get()) != nullptr;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    RunDue();
    lock.lock();
    if (stopping_) break;
    auto next = EarliestDue(webhooks_);
    if (!real_clock) {
      wake_.wait_for(lock, std::chrono::milliseconds(5));
    } else if (next) {
      wake_.wait_until(lock, *next);
    } else {
      wake_.wait(lock);
    }
  }
}

}  // namespace detail
}  // namespace v1
}  // namespace faltrain
